//! Taking payment for orders, behind one small trait so the business can
//! run offline by default and take cards when configured.
//!
//! - [`BankTransfer`] (the default) charges nothing online: orders wait
//!   for the transfer, quoting their id.
//! - [`StripeCards`] charges a card through Stripe's PaymentIntents API
//!   (`POST /v1/payment_intents` with `confirm=true`), configured by
//!   `KILN_STRIPE_SECRET_KEY` (and `KILN_STRIPE_API_BASE` for a test
//!   server). Every charge carries an idempotency key, so a request that
//!   is sent again after a network failure can never charge twice.
//!
//! The order is always recorded before any charge is tried (Customer
//! Management's `pay_order_by_card`), so a failed or lost charge never
//! loses the order.

use kiln_core::money::Money;
use std::future::Future;
use std::pin::Pin;

/// What a gateway is asked to charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardCharge {
    /// The order's id, sent as the charge's metadata and description.
    pub order: String,
    /// How much, in minor units of its currency.
    pub amount: Money,
    /// The card, as the provider's token for it (Stripe: a PaymentMethod
    /// id such as `pm_card_visa`). Card numbers never reach Kiln.
    pub payment_method: String,
    /// The same key for every sending of the same attempt: the provider
    /// answers a repeated sending with the first one's result.
    pub idempotency_key: String,
}

/// How a charge ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// The money is taken.
    Captured {
        /// The provider's reference for the payment, e.g. `pi_3Mt…`.
        reference: String,
    },
    /// The card was refused; nothing was taken.
    Declined {
        /// Why, in the provider's words for the buyer.
        reason: String,
    },
}

/// Why a charge's outcome is unknown or it could not be tried. After one
/// of these the order stays unpaid and the same attempt may be sent again
/// (with the same idempotency key).
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// This gateway takes no cards.
    #[error("card payments are not set up: pay by bank transfer")]
    NoCards,
    /// The provider could not be reached, or its answer was lost.
    #[error("the payment provider could not be reached")]
    Unreachable(#[source] reqwest::Error),
    /// The provider answered something this gateway does not understand.
    #[error("the payment provider answered {status} unexpectedly")]
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// The start of the body, for the log.
        body: String,
    },
}

/// A future a gateway answers with.
pub type ChargeFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ChargeOutcome, GatewayError>> + Send + 'a>>;

/// A way of taking payment.
pub trait PaymentGateway: Send + Sync + std::fmt::Debug {
    /// Its name in the log's payment events, e.g. `stripe`.
    fn name(&self) -> &'static str;

    /// Whether it charges cards (else orders are paid by bank transfer).
    fn takes_cards(&self) -> bool;

    /// Charges `charge`.
    fn charge(&self, charge: CardCharge) -> ChargeFuture<'_>;
}

/// The default: no online payment. Orders wait for a bank transfer.
#[derive(Debug, Clone, Copy, Default)]
pub struct BankTransfer;

impl PaymentGateway for BankTransfer {
    fn name(&self) -> &'static str {
        "bank_transfer"
    }

    fn takes_cards(&self) -> bool {
        false
    }

    fn charge(&self, _charge: CardCharge) -> ChargeFuture<'_> {
        Box::pin(async { Err(GatewayError::NoCards) })
    }
}

/// Card payments through Stripe's PaymentIntents API.
#[derive(Debug, Clone)]
pub struct StripeCards {
    client: reqwest::Client,
    api_base: String,
    secret_key: String,
}

impl StripeCards {
    /// Stripe's API.
    pub const API_BASE: &'static str = "https://api.stripe.com";

    /// A gateway sending to `api_base` (Stripe's, or a test server's) with
    /// the account's secret key.
    pub fn new(api_base: &str, secret_key: &str) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        Ok(StripeCards {
            client,
            api_base: api_base.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }

    async fn send(&self, charge: CardCharge) -> Result<ChargeOutcome, GatewayError> {
        let amount = charge.amount.minor_units.to_string();
        let currency = charge.amount.currency.code().to_lowercase();
        let description = format!("Order {}", charge.order);
        let form = [
            ("amount", amount.as_str()),
            ("currency", currency.as_str()),
            ("payment_method", charge.payment_method.as_str()),
            ("confirm", "true"),
            ("description", description.as_str()),
            ("metadata[order_id]", charge.order.as_str()),
            // No redirect-based methods: the answer is final or a refusal.
            ("automatic_payment_methods[enabled]", "true"),
            ("automatic_payment_methods[allow_redirects]", "never"),
        ];
        let response = self
            .client
            .post(format!("{}/v1/payment_intents", self.api_base))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", &charge.idempotency_key)
            .form(&form)
            .send()
            .await
            .map_err(GatewayError::Unreachable)?;
        let status = response.status();
        let body = response.text().await.map_err(GatewayError::Unreachable)?;
        let unexpected = || GatewayError::Unexpected {
            status: status.as_u16(),
            body: body.chars().take(300).collect(),
        };
        let json: serde_json::Value = serde_json::from_str(&body).map_err(|_| unexpected())?;
        if status.is_success() {
            return match (json["status"].as_str(), json["id"].as_str()) {
                (Some("succeeded"), Some(reference)) => Ok(ChargeOutcome::Captured {
                    reference: reference.to_owned(),
                }),
                // Requires action, processing, canceled: not taken. (3-D
                // Secure needs the browser and is not built.)
                (Some(other), Some(_)) => Ok(ChargeOutcome::Declined {
                    reason: format!("the payment could not be completed ({other})"),
                }),
                _ => Err(unexpected()),
            };
        }
        // 402: the card was declined (an error of type `card_error`).
        match (status.as_u16(), json["error"]["type"].as_str()) {
            (402, Some("card_error")) => Ok(ChargeOutcome::Declined {
                reason: json["error"]["message"]
                    .as_str()
                    .unwrap_or("your card was declined")
                    .to_owned(),
            }),
            _ => Err(unexpected()),
        }
    }
}

impl PaymentGateway for StripeCards {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn takes_cards(&self) -> bool {
        true
    }

    fn charge(&self, charge: CardCharge) -> ChargeFuture<'_> {
        Box::pin(self.send(charge))
    }
}

/// A fake of Stripe's PaymentIntents endpoint on 127.0.0.1, answering with
/// the JSON Stripe documents; for tests of the gateway and of the order
/// payment service.
#[cfg(test)]
pub(crate) mod fake_stripe {
    use axum::{Router, extract::State, http::HeaderMap, routing::post};
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    /// What the fake has seen and will answer.
    #[derive(Debug, Default)]
    pub struct Ledger {
        /// Charges taken, by idempotency key: (amount, payment intent id).
        pub charges: HashMap<String, (String, String)>,
        /// Requests received, in order: (idempotency key, form body).
        pub requests: Vec<(String, String)>,
        /// Drop the next this-many requests' answers after charging (a
        /// network failure after the charge was taken).
        pub lose_answers: usize,
    }

    /// Starts the fake; answers its address and its ledger.
    pub async fn start() -> (String, Arc<Mutex<Ledger>>) {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let app = Router::new()
            .route("/v1/payment_intents", post(payment_intent))
            .with_state(ledger.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{address}"), ledger)
    }

    async fn payment_intent(
        State(ledger): State<Arc<Mutex<Ledger>>>,
        headers: HeaderMap,
        body: String,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        let key = headers
            .get("idempotency-key")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let authorized = headers
            .get("authorization")
            .is_some_and(|value| value == "Bearer sk_test_kiln");
        let fields: HashMap<String, String> = body
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| {
                let decode = |text: &str| text.replace("%5B", "[").replace("%5D", "]");
                (decode(name), decode(value))
            })
            .collect();
        let mut ledger = ledger.lock().expect("ledger");
        ledger.requests.push((key.clone(), body.clone()));
        if !authorized {
            return (
                axum::http::StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}})),
            )
                .into_response();
        }
        let amount = fields.get("amount").cloned().unwrap_or_default();
        if fields.get("payment_method").map(String::as_str) == Some("pm_card_chargeDeclined") {
            return (
                axum::http::StatusCode::PAYMENT_REQUIRED,
                axum::Json(serde_json::json!({
                    "error": {
                        "type": "card_error",
                        "code": "card_declined",
                        "decline_code": "generic_decline",
                        "message": "Your card was declined."
                    }
                })),
            )
                .into_response();
        }
        // Stripe's idempotency: the same key answers the first result.
        let next = ledger.charges.len() + 1;
        let (_, id) = ledger
            .charges
            .entry(key)
            .or_insert_with(|| (amount.clone(), format!("pi_fake_{next}")))
            .clone();
        if ledger.lose_answers > 0 {
            ledger.lose_answers -= 1;
            // The charge is taken, but the answer never arrives.
            return (axum::http::StatusCode::BAD_GATEWAY, "").into_response();
        }
        axum::Json(serde_json::json!({
            "id": id,
            "object": "payment_intent",
            "amount": amount.parse::<i64>().unwrap_or_default(),
            "currency": fields.get("currency").cloned().unwrap_or_default(),
            "status": "succeeded"
        }))
        .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::money::Currency;

    fn charge(payment_method: &str, key: &str) -> CardCharge {
        CardCharge {
            order: "ord-0102030405060708".into(),
            amount: Money::new(11459, Currency::Usd),
            payment_method: payment_method.into(),
            idempotency_key: key.into(),
        }
    }

    #[tokio::test]
    async fn a_good_card_is_charged_once_with_the_amount_currency_and_key() {
        let (base, ledger) = fake_stripe::start().await;
        let gateway = StripeCards::new(&base, "sk_test_kiln").expect("client");
        let outcome = gateway
            .charge(charge("pm_card_visa", "kiln-ord-0102030405060708-1"))
            .await
            .expect("answered");
        assert_eq!(
            outcome,
            ChargeOutcome::Captured {
                reference: "pi_fake_1".into()
            }
        );
        let ledger = ledger.lock().expect("ledger");
        let (key, body) = &ledger.requests[0];
        assert_eq!(key, "kiln-ord-0102030405060708-1");
        assert!(
            body.contains("amount=11459") && body.contains("currency=usd"),
            "{body}"
        );
        assert!(body.contains("confirm=true"), "{body}");
    }

    #[tokio::test]
    async fn a_declined_card_is_a_decline_with_the_providers_words() {
        let (base, _ledger) = fake_stripe::start().await;
        let gateway = StripeCards::new(&base, "sk_test_kiln").expect("client");
        assert_eq!(
            gateway
                .charge(charge("pm_card_chargeDeclined", "key-1"))
                .await
                .expect("answered"),
            ChargeOutcome::Declined {
                reason: "Your card was declined.".into()
            }
        );
    }

    #[tokio::test]
    async fn an_unreachable_provider_or_a_lost_answer_is_an_error_not_an_outcome() {
        // Nothing listens on this port once the listener is dropped.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        drop(listener);
        let gateway =
            StripeCards::new(&format!("http://{address}"), "sk_test_kiln").expect("client");
        assert!(matches!(
            gateway.charge(charge("pm_card_visa", "key-1")).await,
            Err(GatewayError::Unreachable(_))
        ));

        let (base, ledger) = fake_stripe::start().await;
        ledger.lock().expect("ledger").lose_answers = 1;
        let gateway = StripeCards::new(&base, "sk_test_kiln").expect("client");
        assert!(matches!(
            gateway.charge(charge("pm_card_visa", "key-2")).await,
            Err(GatewayError::Unexpected { status: 502, .. })
        ));
        // Sent again with the same key, the provider answers the same
        // payment: one charge, not two.
        assert_eq!(
            gateway
                .charge(charge("pm_card_visa", "key-2"))
                .await
                .expect("answered"),
            ChargeOutcome::Captured {
                reference: "pi_fake_1".into()
            }
        );
        assert_eq!(ledger.lock().expect("ledger").charges.len(), 1);
    }

    #[tokio::test]
    async fn a_wrong_secret_key_is_an_error_and_bank_transfer_takes_no_cards() {
        let (base, _ledger) = fake_stripe::start().await;
        let gateway = StripeCards::new(&base, "sk_test_wrong").expect("client");
        assert!(matches!(
            gateway.charge(charge("pm_card_visa", "key-1")).await,
            Err(GatewayError::Unexpected { status: 401, .. })
        ));
        assert!(!BankTransfer.takes_cards());
        assert!(matches!(
            BankTransfer.charge(charge("pm_card_visa", "key-1")).await,
            Err(GatewayError::NoCards)
        ));
    }
}
