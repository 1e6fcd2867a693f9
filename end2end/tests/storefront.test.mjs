// The storefront's home page in a real browser: it hydrates, reacts to a
// click, fetches from a server function, and reads fine without JavaScript.
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
    assert.match(log, /stopped cleanly/);
  }
});

function productCollections(page) {
  return page.$$eval('[data-testid=products] li', (items) => items.map((li) => li.dataset.collection));
}

test('the home page hydrates, and choosing a collection fetches its products from the server in place', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });

  await page.goto(kiln.url);
  await waitForHydration(page);
  assert.equal(await page.locator('h1').innerText(), 'Made by hand, fired in our kiln, used every day.');
  assert.deepEqual([...new Set(await productCollections(page))], ['mugs', 'planters', 'tableware']);
  await page.screenshot({ path: path.join(screenshotDir, 'home.png'), fullPage: true });

  // A marker on window survives only if the click does not reload the page.
  await page.evaluate(() => {
    window.kilnSameDocument = true;
  });
  const answer = page.waitForResponse(
    (response) => response.url().endsWith('/api/storefront/products') && response.request().method() === 'POST',
  );
  await page.getByRole('link', { name: 'Planters', exact: true }).click();
  const response = await answer;
  assert.equal(response.status(), 200);
  const served = await response.json();
  // One card per product: the terracotta planter's three sizes stand behind one.
  assert.deepEqual([...new Set(served.map((card) => card.product.collection))], ['planters']);
  const terracotta = served.find((card) => card.product.variant?.family === 'terracotta-planter');
  assert.equal(terracotta.options, 3);

  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid=products] li')].every((li) => li.dataset.collection === 'planters'),
  );
  const shown = await page.$$eval('[data-testid=products] li', (items) => items.map((li) => li.dataset.sku));
  assert.deepEqual(shown, served.map((card) => card.product.sku));
  assert.equal(await page.getByRole('link', { name: 'Planters', exact: true }).getAttribute('aria-current'), 'true');
  assert.equal(await page.getByRole('link', { name: 'Everything', exact: true }).getAttribute('aria-current'), null);
  assert.equal(new URL(page.url()).searchParams.get('collection'), 'planters');
  assert.equal(await page.evaluate(() => window.kilnSameDocument), true, 'the click reloaded the page');
  await page.locator('#shop').screenshot({ path: path.join(screenshotDir, 'home-planters.png') });

  // A search within the collection, dearest first, also without a reload.
  await page.getByLabel('Search').fill('planter');
  await page.getByLabel('Sort by').selectOption('price-high-to-low');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL((url) => url.searchParams.get('q') === 'planter');
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=products] li').length === 3,
  );
  const searched = await page.$$eval('[data-testid=products] li', (items) => items.map((li) => li.dataset.sku));
  // The terracotta planter's dearest size ($56) puts its card first.
  assert.deepEqual(searched, ['PLN-TERRA-10', 'PLN-FOOTED-8', 'PLN-HANG-5']);
  assert.equal(new URL(page.url()).searchParams.get('collection'), 'planters');
  assert.equal(await page.evaluate(() => window.kilnSameDocument), true, 'the search reloaded the page');
  await page.locator('#shop').screenshot({ path: path.join(screenshotDir, 'home-search.png') });

  assert.deepEqual(problems, []);
  await page.close();
});

test('without JavaScript every product is readable and the collection tabs still work as links', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(kiln.url);
  assert.equal(await page.locator('[data-testid=products] li').count(), 12);
  assert.match(await page.locator('body').innerText(), /Speckled Morning Mug\s+\$28\.00/);
  assert.equal(await page.getByRole('link', { name: /Sign in/ }).getAttribute('href'), '/login');

  await page.getByRole('link', { name: 'Tableware', exact: true }).click();
  await page.waitForURL(/collection=tableware/);
  assert.deepEqual([...new Set(await productCollections(page))], ['tableware']);
  await page.screenshot({ path: path.join(screenshotDir, 'home-no-javascript-phone.png'), fullPage: true });
  await context.close();
});

test('a product with options offers each one with its price and stock, and choosing one opens it in place', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${kiln.url}/shop/PLN-TERRA-6`);
  await waitForHydration(page);
  await page.evaluate(() => {
    window.kilnSameDocument = true;
  });
  const options = await page.$$eval('[data-option]', (links) => links.map((a) => a.dataset.option));
  assert.deepEqual(options, ['PLN-TERRA-4', 'PLN-TERRA-6', 'PLN-TERRA-10']);
  assert.equal(await page.locator('[data-option="PLN-TERRA-6"]').getAttribute('aria-current'), 'page');
  assert.match(await page.locator('[data-stock]').innerText(), /In stock: 28 ready to send/);
  await page.screenshot({ path: path.join(screenshotDir, 'product-options.png'), fullPage: true });

  await page.locator('[data-option="PLN-TERRA-10"]').click();
  await page.waitForURL(/\/shop\/PLN-TERRA-10$/);
  await page.waitForFunction(() => document.querySelector('[data-field=price]')?.textContent.includes('$56.00'));
  assert.match(await page.locator('[data-stock]').innerText(), /In stock: 9 ready to send/);
  assert.equal(await page.evaluate(() => window.kilnSameDocument), true, 'choosing an option reloaded the page');

  // The indigo mug is sold out: made to order.
  await page.goto(`${kiln.url}/shop/MUG-TIDE-10-IND`);
  assert.match(await page.locator('[data-stock]').innerText(), /Out of stock: made to order/);
  await page.screenshot({ path: path.join(screenshotDir, 'product-out-of-stock.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
