#!/usr/bin/env node
// The remote-engine tests and `npm run bench:remote` start two real ClickHouse servers on loopback.
// Nothing is downloaded by a test tool: we use Debian's clickhouse-server package, installed here
// with apt-get when it is missing (as ensure-chromium.mjs does for the browser).
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const candidates = ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse'];
const found = candidates.find((p) => existsSync(p));
if (found) process.exit(0);

if (!existsSync('/usr/bin/apt-get')) {
  console.error('clientlens: clickhouse-server not found and apt-get is not available. Install ClickHouse (server) by hand; the remote-engine tests need it.');
  process.exit(1);
}
console.log("clientlens: no clickhouse-server found; installing Debian's clickhouse-server package (apt-get)...");
const sudo = process.getuid && process.getuid() !== 0 ? 'sudo ' : '';
try {
  // The package's service is not started here: tests start their own servers with their own config.
  execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server`, { stdio: 'inherit' });
} catch {
  console.error('clientlens: installing clickhouse-server failed. Install it by hand (apt-get install clickhouse-server).');
  process.exit(1);
}
if (!candidates.some((p) => existsSync(p))) {
  console.error('clientlens: apt-get finished but no clickhouse-server binary was found in /usr/bin or /usr/sbin.');
  process.exit(1);
}
console.log('clientlens: clickhouse-server installed.');
