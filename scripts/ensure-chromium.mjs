#!/usr/bin/env node
// Browser tests and benchmarks drive a real Chromium. No test tool may download its own browser here,
// so we use the system one and, on a fresh Debian machine, install Debian's package.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const found = candidates.find((p) => p && existsSync(p));
if (found) process.exit(0);

const canApt = existsSync('/usr/bin/apt-get');
if (!canApt) {
  console.error('clientlens: no Chromium or Chrome found. Install one and set CHROME_PATH to its binary.');
  process.exit(1);
}
console.log('clientlens: no Chromium found; installing Debian\'s chromium package (apt-get)...');
const sudo = process.getuid && process.getuid() !== 0 ? 'sudo ' : '';
try {
  execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium`, { stdio: 'inherit' });
} catch (err) {
  console.error('clientlens: installing chromium failed. Install it by hand (apt-get install chromium) or set CHROME_PATH.');
  process.exit(1);
}
if (!existsSync('/usr/bin/chromium')) {
  console.error('clientlens: apt-get finished but /usr/bin/chromium is missing.');
  process.exit(1);
}
