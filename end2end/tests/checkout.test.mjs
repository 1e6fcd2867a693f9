// Buying on the storefront in a real browser: a guest puts two products in
// the cart, checks out with bank transfer, and follows the order by its
// link; and the same without JavaScript.
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
  }
});

async function fillCheckout(page) {
  await page.getByLabel('Full name').fill('Ada Byron');
  await page.getByLabel('Email address (for the confirmation)').fill('ada@example.com');
  await page.getByLabel('Street address').fill('12 Kiln Lane');
  await page.getByLabel('Town or city').fill('Stoke-on-Trent');
  await page.getByLabel('Postcode').fill('ST1 4AB');
  await page.getByLabel('Country').fill('United Kingdom');
}

test('a guest buys two products and tracks the order by its link', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  await page.goto(kiln.url);
  await waitForHydration(page);
  await page.locator('[data-sku="MUG-SPECKLE-12"] a').click();
  await page.waitForURL('**/shop/MUG-SPECKLE-12');
  await page.getByRole('heading', { name: 'Speckled Morning Mug' }).waitFor();
  await page.getByLabel('Quantity').fill('2');
  await page.screenshot({ path: path.join(screenshotDir, 'checkout-product.png'), fullPage: true });
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.waitForURL('**/cart');
  await page.locator('[data-testid=cart-lines] [data-sku="MUG-SPECKLE-12"]').waitFor();

  await page.goto(`${kiln.url}/shop/PLN-TERRA-6`);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.waitForURL('**/cart');
  await page.locator('[data-testid=cart-lines] [data-sku="PLN-TERRA-6"]').waitFor();
  // The cart is in the session: a reload keeps it.
  await page.reload();
  assert.equal(await page.locator('[data-testid=cart-lines] li').count(), 2);
  await page.screenshot({ path: path.join(screenshotDir, 'checkout-cart.png'), fullPage: true });

  await page.getByRole('link', { name: 'Checkout' }).click();
  await page.waitForURL('**/checkout');
  await page.getByLabel('Full name').waitFor();
  await fillCheckout(page);
  await page.getByLabel(/Express/).check();
  await page.screenshot({ path: path.join(screenshotDir, 'checkout-form.png'), fullPage: true });
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(/\/orders\/ord-[0-9a-f]{16}/);
  await page.getByText('Your order is placed').waitFor();
  const body = await page.locator('body').innerText();
  assert.match(body, /Awaiting payment/);
  assert.match(body, /Shipping \(Express, next working day\)/);
  assert.match(body, /Sales tax \(8\.25%\)/);
  // 2 × $28.00 + the planter, tax on each line, $15 express shipping.
  assert.equal(await page.locator('[data-testid=order-lines] tbody tr').count(), 2);
  await page.screenshot({ path: path.join(screenshotDir, 'checkout-confirmation.png'), fullPage: true });

  // The link alone shows the order, in a browser that never saw it.
  const link = page.url().split('?')[0];
  const stranger = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const tracking = await stranger.newPage();
  await tracking.goto(link);
  assert.equal(await tracking.locator('[data-field=status]').innerText(), 'Awaiting payment');
  assert.equal(await tracking.getByText('Your order is placed').count(), 0);
  await tracking.screenshot({ path: path.join(screenshotDir, 'checkout-tracking-phone.png'), fullPage: true });

  assert.deepEqual(problems, []);
  await stranger.close();
  await context.close();
});

test('without JavaScript a guest still adds to the cart, checks out and sees the order', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${kiln.url}/shop/TBL-JUG-1L`);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.waitForURL('**/cart');
  await page.goto(`${kiln.url}/checkout`);
  await fillCheckout(page);
  await page.getByLabel('Street address').fill('   ');
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByText('the street address is missing').waitFor();
  await page.screenshot({ path: path.join(screenshotDir, 'checkout-refused-no-javascript.png'), fullPage: true });
  await fillCheckout(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(/\/orders\/ord-[0-9a-f]{16}/);
  assert.match(await page.locator('body').innerText(), /Jug/);
  await context.close();
});
