// Ordering in the trade portal in a real browser: a dealer sees its own
// tier prices (not another dealer's, not the storefront's), uploads an
// order sheet with one bad line and is told which, mends it, and places a
// 60-unit order at the volume price.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKiln, launchChromium, screenshotDir, signIn, waitForHydration } from '../support/kiln.mjs';

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

async function signInAs(context, email, password) {
  const page = await context.newPage();
  await signIn(page, kiln.url, email, password);
  await page.waitForURL(`${kiln.url}/portal`);
  return page;
}

async function mugPrice(page) {
  const cell = page.locator('tr[data-sku="MUG-SPECKLE-12"] [data-field=your-price]');
  await cell.waitFor();
  return cell.innerText();
}

test('a dealer orders 60 mugs from an order sheet at its volume price, after mending a bad line', async () => {
  // Another dealer, at the partner tier, pays less than this one; the
  // storefront charges the base price.
  const other = await browser.newContext();
  const partner = await signInAs(other, 'buyer@hollowoak.example', 'fenwick-demo-dealer-b');
  const partnerPrice = await mugPrice(partner);
  await other.close();

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  const page = await signInAs(context, 'orders@clayandcup.example', 'fenwick-demo-dealer-a');
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const tradePrice = await mugPrice(page);
  assert.equal(tradePrice, '$16.80');
  assert.equal(partnerPrice, '$14.00');
  const shop = await context.newPage();
  await shop.goto(`${kiln.url}/shop/MUG-SPECKLE-12`);
  assert.match(await shop.locator('main').innerText(), /\$28\.00/);
  await shop.close();
  await page.screenshot({ path: path.join(screenshotDir, 'dealer-price-list.png'), fullPage: true });

  await page.getByRole('link', { name: 'Place an order' }).click();
  await page.waitForURL('**/portal/order');
  await page.locator('[data-testid=quick-order-grid]').waitFor();
  await page.getByLabel('Street address').fill('3 Harbour Row');
  await page.getByLabel('Town or city').fill('Whitby');
  await page.getByLabel('Postcode').fill('YO21 3PU');
  await page.getByLabel('Country').fill('United Kingdom');

  // The sheet names a product that does not exist on its third row.
  const sheets = await mkdir(path.join(tmpdir(), 'kiln-order-sheets'), { recursive: true })
    .then(() => path.join(tmpdir(), 'kiln-order-sheets'));
  const bad = path.join(sheets, 'order-bad.csv');
  const good = path.join(sheets, 'order.csv');
  await writeFile(bad, 'sku,quantity\nMUG-SPECKLE-12,60\nMUG-SPECKEL-12,6\n');
  await writeFile(good, 'sku,quantity\nMUG-SPECKLE-12,60\n');
  await page.getByTestId('order-sheet-file').setInputFiles(bad);
  await page.waitForFunction(() => document.querySelector('textarea[name="form[sheet]"]').value.includes('SPECKEL'));
  await page.getByRole('button', { name: 'Place order' }).click();
  const refusal = page.getByTestId('refusal-lines');
  await refusal.waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Nothing was ordered/);
  assert.match(await refusal.innerText(), /Order sheet, row 3: there is no product "MUG-SPECKEL-12" in the catalog/);
  await page.screenshot({ path: path.join(screenshotDir, 'dealer-order-sheet-refused.png'), fullPage: true });

  // The mended sheet goes through at the 48+ price: 50% off $28.00.
  await page.getByTestId('order-sheet-file').setInputFiles(good);
  await page.waitForFunction(() => !document.querySelector('textarea[name="form[sheet]"]').value.includes('SPECKEL'));
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(/\/orders\/ord-[0-9a-f]{16}/);
  await page.getByText('Your order is placed').waitFor();
  const line = page.locator('[data-testid=order-lines] tr[data-sku="MUG-SPECKLE-12"]');
  assert.match(await line.innerText(), /60\s+\$14\.00/);
  assert.match(await line.innerText(), /trade tier, 48\+ units: 50% off/);
  assert.match(await page.locator('[data-field=payment]').innerText(), /On account/);
  await page.screenshot({ path: path.join(screenshotDir, 'dealer-order-placed.png'), fullPage: true });

  // The portal's history lists it.
  const order = new URL(page.url()).pathname.split('/').pop();
  await page.goto(`${kiln.url}/portal`);
  await page.locator(`[data-testid=dealer-orders] tr[data-order="${order}"]`).waitFor();
  await page.screenshot({ path: path.join(screenshotDir, 'dealer-order-history.png'), fullPage: true });

  // Its invoice: billed to the company, due 30 days after it was placed.
  await page.locator(`[data-testid=dealer-orders] tr[data-order="${order}"] [data-field=invoice]`).click();
  await page.waitForURL(`**/portal/invoices/${order}`);
  await page.locator(`[data-invoice="${order}"]`).waitFor();
  assert.equal(await page.locator('[data-field=bill-to]').innerText(), 'Clay & Cup Café');
  const issued = new Date(await page.locator('[data-field=issued]').innerText());
  const due = new Date(await page.locator('[data-field=due]').innerText());
  assert.equal((due - issued) / 86_400_000, 30);
  await page.screenshot({ path: path.join(screenshotDir, 'dealer-invoice.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(screenshotDir, 'dealer-invoice-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // The materials library: every file downloads.
  await page.goto(`${kiln.url}/portal/materials`);
  const materials = page.locator('[data-testid=materials] li');
  await materials.first().waitFor();
  assert.ok((await materials.count()) >= 20);
  const download = page.waitForEvent('download');
  await page.locator('[data-material="/materials/care-card.svg"] a[download]').click();
  assert.equal((await download).suggestedFilename(), 'care-card.svg');
  await page.screenshot({ path: path.join(screenshotDir, 'dealer-materials.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a business applies, staff approve it at a tier from the page, and its new dealer signs in', async () => {
  // The application, on the public site.
  const applicant = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const form = await applicant.newPage();
  await form.goto(`${kiln.url}/dealers/apply`);
  await waitForHydration(form);
  await form.getByLabel('Business name').fill('Kettle & Kiln Tea Room');
  await form.getByLabel('Your name').fill('Sam Okoro');
  await form.getByLabel('Email address').fill('sam@kettleandkiln.example');
  await form.getByRole('button', { name: 'Send the application' }).click();
  await form.waitForURL('**/dealers/apply?sent=1');

  // Staff approve it at the volume tier from Customer Management's page.
  const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const review = await staff.newPage();
  const problems = [];
  review.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await signIn(review, kiln.url, 'owner@fenwick.example', 'fenwick-demo-owner');
  await review.waitForURL('**/staff/**');
  await review.goto(`${kiln.url}/staff/customers`);
  await waitForHydration(review);
  const card = review.locator('article[data-application]', { hasText: 'Kettle & Kiln Tea Room' });
  await card.waitFor();
  await card.getByLabel('Price tier').selectOption('volume');
  await review.screenshot({ path: path.join(screenshotDir, 'dealer-application-review.png'), fullPage: true });
  await card.getByRole('button', { name: 'Approve' }).click();
  await review.waitForURL('**/staff/customers?decided=approved');
  await review.getByText('Approved: the company is open').waitFor();
  // The page follows its function's events: the decided card leaves it.
  await card.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);

  // The new dealer chooses a password with the mailed link and signs in.
  const mail = await kiln.outbox();
  const token = mail.match(/to sam@kettleandkiln\.example[\s\S]*?\/reset\?token=([0-9A-Za-z_-]+)/)?.[1];
  assert.ok(token, `no welcome link for the new dealer in the outbox:\n${mail}`);
  const dealer = await applicant.newPage();
  await dealer.goto(`${kiln.url}/reset?token=${token}`);
  await waitForHydration(dealer);
  await dealer.getByLabel('New password').fill('kettle-and-kiln-2026');
  await dealer.getByRole('button', { name: 'Set the new password' }).click();
  await dealer.waitForURL('**/login?reset=done');
  await dealer.getByLabel('Email address').fill('sam@kettleandkiln.example');
  await dealer.getByLabel('Password').fill('kettle-and-kiln-2026');
  await dealer.getByRole('button', { name: 'Sign in' }).click();
  await dealer.waitForURL(`${kiln.url}/portal`);
  await dealer.locator('[data-field=company]').waitFor();
  assert.equal(await dealer.locator('[data-field=company]').innerText(), 'Kettle & Kiln Tea Room');
  assert.equal(await dealer.locator('[data-field=tier]').innerText(), 'volume');
  // 45% off the $28.00 mug.
  assert.equal(await mugPrice(dealer), '$15.40');
  await dealer.screenshot({ path: path.join(screenshotDir, 'dealer-new-portal.png'), fullPage: true });
  await staff.close();
  await applicant.close();
});
