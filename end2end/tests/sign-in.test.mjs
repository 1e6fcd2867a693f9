// Signing up and in through the real pages, with and without JavaScript:
// each tier lands on its home (shoppers on the storefront, dealers on their
// portal, staff on their first function page); a wrong password says so and
// leaves them out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startKiln, launchChromium, screenshotDir, waitForHydration } from '../support/kiln.mjs';

let kiln;
let browser;

before(async () => {
  await mkdir(screenshotDir, { recursive: true });
  kiln = await startKiln();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (kiln) {
    const { code, log } = await kiln.stop();
    assert.equal(code, 0, `kiln did not stop cleanly on SIGTERM:\n${log}`);
    assert.doesNotMatch(log, /fenwick-demo-owner|fenwick-demo-shopper|fenwick-demo-dealer-a|wheel-and-glaze-2026/, 'a password reached the log');
  }
});

async function signIn(page, email, password) {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('staff sign in on the hydrated page, land on their first function page, and sign out', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  await page.goto(`${kiln.url}/login`);
  await waitForHydration(page);
  await signIn(page, 'owner@fenwick.example', 'wrong-password-123');
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /the email address or the password is wrong/);
  await page.screenshot({ path: path.join(screenshotDir, 'sign-in-refused.png') });

  await signIn(page, 'owner@fenwick.example', 'fenwick-demo-owner');
  await page.waitForURL(`${kiln.url}/staff/overview`);
  await page.goto(`${kiln.url}/account`);
  await page.locator('[data-field=name]').waitFor();
  assert.equal(await page.locator('[data-field=name]').innerText(), 'Mara Fenwick');
  assert.equal(await page.locator('[data-field=roles]').innerText(), 'admin');
  await page.screenshot({ path: path.join(screenshotDir, 'account.png') });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${kiln.url}/`);
  const account = await page.goto(`${kiln.url}/account`);
  assert.equal(account.status(), 401);
  assert.deepEqual(problems, []);
  await context.close();
});

test('without JavaScript the sign-in form still signs in and lands on the first function page', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${kiln.url}/login`);
  await signIn(page, 'potter@fenwick.example', 'fenwick-demo-potter');
  await page.waitForURL(`${kiln.url}/staff/category`);
  await page.goto(`${kiln.url}/account`);
  assert.equal(await page.locator('[data-field=roles]').innerText(), 'category:operate, procurement:view');
  await page.screenshot({ path: path.join(screenshotDir, 'account-no-javascript-phone.png'), fullPage: true });
  await context.close();
});

test('a shopper signs in and lands on the storefront, greeted by name in the header', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${kiln.url}/login`);
  await waitForHydration(page);
  await signIn(page, 'shopper@fenwick.example', 'fenwick-demo-shopper');
  await page.waitForURL(`${kiln.url}/`);
  const greeting = page.locator('header [data-signed-in="true"]');
  await greeting.waitFor();
  assert.match(await greeting.innerText(), /Ada/);
  await page.screenshot({ path: path.join(screenshotDir, 'storefront-signed-in.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a new shopper signs up on the hydrated page and is signed in on the storefront', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${kiln.url}/signup`);
  await waitForHydration(page);
  await page.getByLabel('Your name').fill('Wren Hollis');
  await page.getByLabel('Email address').fill('wren@example.com');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /at least 10 characters/);
  await page.screenshot({ path: path.join(screenshotDir, 'sign-up-refused.png') });

  await page.getByLabel('Password').fill('wheel-and-glaze-2026');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${kiln.url}/`);
  await page.locator('header [data-signed-in="true"]').waitFor();
  await page.goto(`${kiln.url}/account`);
  assert.equal(await page.locator('[data-field=tier]').innerText(), 'consumer');
  await page.screenshot({ path: path.join(screenshotDir, 'account-consumer.png'), fullPage: true });
  await context.close();
});

test('a dealer signs in and lands on its portal with its own trade prices', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${kiln.url}/login`);
  await waitForHydration(page);
  await signIn(page, 'orders@clayandcup.example', 'fenwick-demo-dealer-a');
  await page.waitForURL(`${kiln.url}/portal`);
  await page.locator('[data-field=company]').waitFor();
  assert.equal(await page.locator('[data-field=company]').innerText(), 'Clay & Cup Café');
  assert.equal(await page.locator('[data-field=tier]').innerText(), 'trade');
  const mug = page.locator('tr[data-sku="MUG-SPECKLE-12"] [data-field=your-price]');
  assert.equal(await mug.innerText(), '$16.80');
  await page.screenshot({ path: path.join(screenshotDir, 'portal.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a business applies for a trade account without JavaScript and is told it is received', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${kiln.url}/dealers/apply`);
  await page.getByLabel('Business name').fill('Kettle & Kiln Tea Room');
  await page.getByLabel('Your name').fill('Sam Okoro');
  await page.getByLabel('Email address').fill('sam@kettleandkiln.example');
  await page.getByLabel('About your business').fill('A tea room in York.');
  await page.getByRole('button', { name: 'Send the application' }).click();
  await page.waitForURL(`${kiln.url}/dealers/apply?sent=1`);
  assert.match(await page.getByRole('status').innerText(), /your application is with us/);
  await page.screenshot({ path: path.join(screenshotDir, 'dealer-application-sent-phone.png'), fullPage: true });
  await context.close();
});
