#!/usr/bin/env node
// Browser tests and benchmarks drive a real Chromium. No test tool may download its own browser here,
// so we use the system one and, on a fresh Debian machine, install Debian's package, with a CJK font:
// without one, every Chinese character (the zh-CN interface, the generated book's names and
// regions) draws as the same empty box in the screenshots we check, and laying out Chinese text
// costs a font search per new character that users' machines never pay (test/browser/cjk-glyphs.test.ts).
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

/** A small font with Simplified Chinese glyphs (5 MB installed; fonts-noto-cjk is 90 MB). */
const CJK_FONT_PACKAGE = 'fonts-wqy-microhei';

const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const found = candidates.find((p) => p && existsSync(p));
const canApt = existsSync('/usr/bin/apt-get');
const sudo = process.getuid && process.getuid() !== 0 ? 'sudo ' : '';

let listsUpdated = false;
function aptInstall(packages) {
  const update = listsUpdated ? '' : `${sudo}apt-get update -qq && `;
  execSync(`${update}${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages.join(' ')}`, { stdio: 'inherit' });
  listsUpdated = true;
}

/** Whether fontconfig knows a font with Chinese glyphs; null when fontconfig is not there to ask. */
function hasCjkFont() {
  try {
    return execSync('fc-list :lang=zh family', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    return null;
  }
}

if (!found) {
  if (!canApt) {
    console.error('clientlens: no Chromium or Chrome found. Install one and set CHROME_PATH to its binary.');
    process.exit(1);
  }
  console.log("clientlens: no Chromium found; installing Debian's chromium package (apt-get)...");
  try {
    aptInstall(['chromium']);
  } catch {
    console.error('clientlens: installing chromium failed. Install it by hand (apt-get install chromium) or set CHROME_PATH.');
    process.exit(1);
  }
  if (!existsSync('/usr/bin/chromium')) {
    console.error('clientlens: apt-get finished but /usr/bin/chromium is missing.');
    process.exit(1);
  }
}
// The font on its own: a machine without it still runs every test but the one that checks it.
if (hasCjkFont() === false) {
  if (!canApt) {
    console.warn('clientlens: no font with Chinese glyphs found (fc-list :lang=zh); Chinese text will draw as boxes. Install one (e.g. Noto Sans CJK or WenQuanYi Micro Hei).');
  } else {
    console.log(`clientlens: no font with Chinese glyphs found; installing Debian's ${CJK_FONT_PACKAGE} package (apt-get)...`);
    try {
      aptInstall([CJK_FONT_PACKAGE]);
    } catch {
      console.warn(`clientlens: installing ${CJK_FONT_PACKAGE} failed; Chinese text will draw as boxes. Install it by hand (apt-get install ${CJK_FONT_PACKAGE}).`);
    }
  }
}
