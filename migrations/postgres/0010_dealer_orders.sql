-- Dealer orders: the company an order was placed for (its portal's order
-- history reads by it) and how the order is paid. Rows projected before
-- this migration are shoppers' bank-transfer orders, hence the defaults.
ALTER TABLE orders ADD COLUMN company_id TEXT NOT NULL DEFAULT '';
-- bank_transfer or invoice.
ALTER TABLE orders ADD COLUMN payment_method TEXT NOT NULL DEFAULT 'bank_transfer';

CREATE INDEX orders_by_company ON orders (company_id);
