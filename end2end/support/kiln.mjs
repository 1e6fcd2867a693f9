// Starts a `kiln` binary on a free port with a fresh database holding the
// demo business, serving the optimized browser bundle, the way `make run`
// serves it. `make test` passes the server its integration tests built
// (KILN_BIN); KILN_BIN=../target/release/kiln runs them against `make
// run`'s release server.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);

const kilnBin = path.resolve(process.env.KILN_BIN ?? '../target/debug/kiln');
const siteRoot = path.resolve(process.env.KILN_SITE_ROOT ?? '../target/site');

export async function startKiln() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kiln-e2e-'));
  const database = path.join(dataDir, 'kiln.db');
  const env = {
    ...process.env,
    KILN_DATABASE_URL: `sqlite://${database}`,
    KILN_LOG: 'info',
    // The browser tests show tax on orders: a rate like a US state's.
    KILN_SALES_TAX_PERCENT: '8.25',
  };
  await run(kilnBin, ['seed', '--demo'], { env });

  const server = spawn(kilnBin, ['serve', '--addr', '127.0.0.1:0', '--site-root', siteRoot], {
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let log = '';
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kiln did not start within 30 s:\n${log}`)), 30_000);
    server.stderr.on('data', (chunk) => {
      log += chunk;
      const match = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    exited.then(({ code }) => reject(new Error(`kiln exited with ${code} before listening:\n${log}`)));
  });

  return {
    url,
    log: () => log,
    // The mail waiting to be sent (`kiln outbox`), as text: how a test
    // reads a link Kiln mailed.
    async outbox() {
      const { stdout } = await run(kilnBin, ['outbox'], { env });
      return stdout;
    },
    // Changes a table behind the log's back, as a bug or a hand-edit
    // would: how a test gives the integrity checks something to find.
    async damage(sql) {
      const script = 'import sqlite3, sys\n'
        + 'db = sqlite3.connect(sys.argv[1], timeout=10)\n'
        + 'db.execute(sys.argv[2])\n'
        + 'db.commit()\n';
      await run('python3', ['-c', script, database, sql]);
    },
    // Runs every integrity check (`kiln integrity check`), which records
    // what it finds as anomalies; its report, whether or not it found any.
    async checkIntegrity() {
      try {
        const { stdout } = await run(kilnBin, ['integrity', 'check'], { env });
        return stdout;
      } catch (error) {
        // It fails when it finds something; its report is still wanted,
        // and so is why, when it failed for another reason.
        return `${error.stdout ?? ''}${error.stderr ?? ''}`;
      }
    },
    // SIGTERM must end the server cleanly: open requests finish, the
    // database closes, the exit code is 0.
    async stop() {
      server.kill('SIGTERM');
      const { code } = await exited;
      await rm(dataDir, { recursive: true, force: true });
      return { code, log };
    },
  };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Waits until the routed page has hydrated (`<body data-hydrated="true">`,
// set by the page once its code has arrived and run). When it does not
// come, the error says why as far as the browser knows: the address, the
// page's errors and console messages, and each request of the page that
// failed or had no answer yet, so a failure in CI can be read from its log.
export async function waitForHydration(page, { timeout = 20_000 } = {}) {
  try {
    await page.waitForSelector('body[data-hydrated="true"]', { timeout });
  } catch (error) {
    // The report must never hide the timeout it explains.
    const report = await hydrationReport(page).catch((failure) => `no report: ${failure.message}`);
    error.message += `\n${report}`;
    throw error;
  }
}

async function hydrationReport(page) {
  const lines = [`address: ${page.url()}`];
  const errors = await page.pageErrors().catch(() => []);
  for (const pageError of errors) lines.push(`page error: ${pageError.message}`);
  const messages = await page.consoleMessages().catch(() => []);
  for (const message of messages) lines.push(`console ${message.type()}: ${message.text()}`);
  const requests = await page.requests().catch(() => []);
  // The page's own answer: its status and the security policies it came
  // with (a page's inline scripts run only if every policy allows them).
  const navigations = requests.filter((request) => {
    try {
      return request.isNavigationRequest() && request.frame() === page.mainFrame();
    } catch {
      return false;
    }
  });
  const answer = await navigations.at(-1)?.response().catch(() => null);
  lines.push(`navigations: ${JSON.stringify(navigations.map((request) => request.url()))}`);
  if (answer) {
    const policies = (await answer.headersArray())
      .filter(({ name }) => name.toLowerCase() === 'content-security-policy')
      .map(({ value }) => value.match(/script-src [^;]*/)?.[0] ?? value);
    lines.push(`page answered ${answer.status()}, script policies: ${JSON.stringify(policies)}`);
    const headers = (await answer.headersArray()).map(({ name }) => name.toLowerCase());
    lines.push(`page headers: ${headers.join(', ')}`);
    const body = await answer.text().catch(() => '');
    const scripts = body.match(/<script[^>]*>/g) ?? [];
    lines.push(`page scripts: ${scripts.length}, ${JSON.stringify(scripts.slice(0, 3))}`);
  }
  for (const request of requests) {
    const failure = request.failure();
    const response = await request.response().catch(() => null);
    if (failure) lines.push(`request failed: ${request.url()} (${failure.errorText})`);
    else if (!response) lines.push(`request unanswered: ${request.url()}`);
    else if (response.status() >= 400) lines.push(`request answered ${response.status()}: ${request.url()}`);
  }
  const readyState = await page.evaluate(() => document.readyState).catch((error) => `unknown (${error.message})`);
  lines.push(`document: ${readyState}`);
  const nonces = await page.evaluate(() => [...document.scripts].map((script) => script.nonce)).catch(() => []);
  lines.push(`script nonces: ${JSON.stringify([...new Set(nonces)])}`);
  return lines.join('\n');
}

export const screenshotDir = path.resolve('screenshots');

// Signs in on the sign-in page as a person would, once the page has
// hydrated (or at once when the browser runs without JavaScript), and
// waits until the browser has left the sign-in page.
export async function signIn(page, url, email, password, { javaScript = true } = {}) {
  await page.goto(`${url}/login`);
  if (javaScript) {
    await waitForHydration(page);
  }
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((address) => address.pathname !== '/login');
}
