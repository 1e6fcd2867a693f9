-- Support tickets, projected from Customer Management's SupportTicket*
-- events. Owned by app/src/functions/customers/projection.rs (TICKETS).
CREATE TABLE support_tickets (
    ticket_id         TEXT    PRIMARY KEY,
    account_id        TEXT    NOT NULL,
    -- The dealer company, when a dealer's user opened it; else empty.
    company_id        TEXT    NOT NULL,
    customer_name     TEXT    NOT NULL,
    email             TEXT    NOT NULL,
    subject           TEXT    NOT NULL,
    -- open (waiting for staff), answered (waiting for the customer), closed.
    status            TEXT    NOT NULL,
    -- UTC, RFC 3339; first_response_at is empty until staff first answer.
    opened_at         TEXT    NOT NULL,
    first_response_at TEXT    NOT NULL,
    last_message_at   TEXT    NOT NULL,
    -- The newest message, for lists.
    last_message      TEXT    NOT NULL,
    message_count     INTEGER  NOT NULL,
    last_position     INTEGER  NOT NULL
);

CREATE INDEX support_tickets_by_account ON support_tickets (account_id, last_message_at);
CREATE INDEX support_tickets_by_status ON support_tickets (status, last_message_at);

-- Every message of every ticket, keyed by its event's position.
CREATE TABLE support_ticket_messages (
    event_position  INTEGER  PRIMARY KEY,
    ticket_id       TEXT    NOT NULL,
    -- customer or staff.
    author_kind     TEXT    NOT NULL,
    author_name     TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    written_at      TEXT    NOT NULL,
    last_position   INTEGER  NOT NULL
);

CREATE INDEX support_ticket_messages_by_ticket ON support_ticket_messages (ticket_id, event_position);
