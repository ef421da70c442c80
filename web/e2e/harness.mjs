// Shared set-up of the browser tests and measurements: serve web/ with the
// real CLI (bin/stepwise serve on a free port) and drive Debian's Chromium
// through playwright-core.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'bin', 'e2e');
mkdirSync(artifacts, { recursive: true });

// serve starts `bin/stepwise serve` and resolves its base URL and a stop function.
export function serve() {
  return new Promise((resolve, reject) => {
    const proc = spawn(join(root, 'bin', 'stepwise'), ['serve', '--addr', '127.0.0.1:0', '--dir', join(root, 'web')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`stepwise serve exited with ${code}: ${out}`)));
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/[0-9.:]+\//);
      if (m) resolve({ url: m[0], stop: () => proc.kill('SIGTERM') });
    });
  });
}

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    // playwright gives every launch a fresh temporary profile itself.
    headless: true,
  });
}

// page opens a fresh context (no shared localStorage) at url and fails the
// test on any page error or console error.
export async function openPage(b, url, { width = 1366, height = 860, colorScheme = 'light' } = {}) {
  const ctx = await b.newContext({ viewport: { width, height }, colorScheme });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const at = m.location()?.url || '';
    page.errors.push(at ? `${m.text()} (${at})` : m.text());
  });
  await page.goto(url);
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}
