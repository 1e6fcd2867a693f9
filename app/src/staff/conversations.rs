//! Agent conversation threads: the messages a function's agent sent and
//! received, as its page shows them (the briefing's inter-agent
//! communications, displayed beside the decisions they lead to).

use kiln_core::conversation::{ConversationThread, MessageIntent, MessageView};
use kiln_core::function::BusinessFunction;
use leptos::prelude::*;

/// The conversations `function`'s agent took part in, newest first.
#[component]
pub fn ConversationThreads(
    function: BusinessFunction,
    conversations: Vec<ConversationThread>,
) -> impl IntoView {
    view! {
        <section class="mt-10" data-section="conversations" aria-labelledby="conversations-heading">
            <h2 id="conversations-heading" class="text-lg font-semibold text-stone-900">"Agent conversations"</h2>
            <crate::forms::Notice key="replied" value="1" message="Your note is in the conversation: the agents read it with the rest." />
            {if conversations.is_empty() {
                view! {
                    <p class="mt-3 rounded-xl border border-dashed border-stone-300 p-6 text-sm text-stone-600">
                        {format!(
                            "agent:{} has not messaged or been messaged yet. Agents ask, answer, agree, disagree and escalate to people in conversations (their own, or outside agents' through POST /api/agents/messages); they show here.",
                            function.slug()
                        )}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <div class="mt-3 grid gap-4 lg:grid-cols-2">
                        {conversations
                            .into_iter()
                            .map(|thread| view! { <Thread thread own=function /> })
                            .collect_view()}
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
    .into_any()
}

/// One conversation, its messages oldest first; the page's own agent's
/// messages lean right, like a chat's own side.
#[component]
fn Thread(thread: ConversationThread, own: BusinessFunction) -> impl IntoView {
    let ConversationThread {
        conversation,
        messages,
    } = thread;
    let stream = super::shell::stream_url(conversation.stream().as_str());
    let subject = messages.first().and_then(|first| first.subject.clone());
    let escalated = messages
        .iter()
        .any(|message| message.intent == MessageIntent::Escalate);
    view! {
        <article
            id=conversation.to_string()
            class="rounded-xl border border-stone-200 bg-white p-4 target:ring-2 target:ring-amber-400"
            data-conversation=conversation.to_string()
        >
            <div class="flex items-baseline justify-between gap-2 text-xs text-stone-500">
                <span>
                    {match messages.len() {
                        1 => "1 message".to_owned(),
                        count => format!("{count} messages"),
                    }}
                    {subject.map(|subject| format!(" about {subject}"))}
                    {escalated.then_some(" · escalated to people")}
                </span>
                <a href=stream class="text-amber-800 hover:underline">{conversation.to_string()}</a>
            </div>
            <ol class="mt-3 flex flex-col gap-2">
                {messages
                    .into_iter()
                    .map(|message| {
                        let (align, tone) = if message.from == own {
                            ("ml-8", "bg-amber-50 border-amber-200")
                        } else {
                            ("mr-8", "bg-stone-50 border-stone-200")
                        };
                        let (route, intent_tone) = match message.intent {
                            MessageIntent::Escalate => (
                                format!("agent:{} → the people of {}", message.from.slug(), message.to.title()),
                                "bg-red-100 text-red-800",
                            ),
                            MessageIntent::Agree => (route_text(&message), "bg-emerald-100 text-emerald-800"),
                            MessageIntent::Disagree => (route_text(&message), "bg-orange-100 text-orange-800"),
                            _ => (route_text(&message), "bg-stone-200 text-stone-700"),
                        };
                        // A decision named in a conversation is proposed by
                        // the agent that names it, so it is on its page.
                        let about = message.about.map(|decision| {
                            view! {
                                <p class="mt-1 text-xs text-stone-500">
                                    "About decision "
                                    <a
                                        href=format!("{}#{decision}", message.from.page_url())
                                        class="text-amber-800 hover:underline"
                                        data-field="about"
                                    >
                                        {decision.to_string()}
                                    </a>
                                </p>
                            }
                        });
                        let consulted = (!message.consulted.is_empty()).then(|| {
                            view! {
                                <p class="mt-1 flex flex-wrap gap-x-2 text-xs text-stone-500" data-field="consulted">
                                    "Consulted:"
                                    {message
                                        .consulted
                                        .into_iter()
                                        // Checked when sent; kept from linking off the site if not.
                                        .filter(kiln_core::decision::DataReference::is_on_site)
                                        .map(|data| view! { <a href=data.href class="text-amber-800 hover:underline">{data.label}</a> })
                                        .collect_view()}
                                </p>
                            }
                        });
                        view! {
                            <li
                                class=format!("{align} rounded-lg border {tone} px-3 py-2")
                                data-message=message.message.to_string()
                                data-intent=message.intent.slug()
                            >
                                <p class="flex flex-wrap items-center gap-2 text-xs font-medium text-stone-700">
                                    <span data-field="route">{route}</span>
                                    <span class=format!("rounded-full px-2 py-0.5 {intent_tone}") data-field="intent">
                                        {message.intent.label()}
                                    </span>
                                </p>
                                <p class="mt-1 text-sm text-stone-900" data-field="text">{message.text}</p>
                                {consulted}
                                {about}
                                <p class="mt-1 text-xs text-stone-400">
                                    {format!("{} · {}", message.sent_by, message.sent_at)}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <ReplyForm conversation=conversation.to_string() function=own />
        </article>
    }
}

/// A person's note in the conversation, as the page's function: folded
/// away until opened, so reading stays calm.
#[component]
fn ReplyForm(conversation: String, function: BusinessFunction) -> impl IntoView {
    use crate::functions::platform_manager::endpoints::ReplyInConversation;
    let reply = ServerAction::<ReplyInConversation>::new();
    let result = Signal::derive(move || reply.value().get());
    // A sent note is in the thread above; the field starts empty again.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(form)) = (reply.value().get(), form.get()) {
            form.reset();
        }
    });
    view! {
        <details class="mt-3 text-sm" data-reply="">
            <summary class="cursor-pointer text-xs font-medium text-amber-800">"Write in this conversation"</summary>
            <ActionForm action=reply node_ref=form attr:class="mt-2 flex flex-col gap-2">
                <input type="hidden" name="form[conversation]" value=conversation />
                <input type="hidden" name="form[function]" value=function.slug() />
                <label class="flex flex-col gap-1 text-xs font-medium text-stone-700">
                    {format!("As a person of {}", function.title())}
                    <crate::markup::TextArea name="form[text]" rows=2 required=true maxlength=2000 class=crate::form_style::INPUT />
                </label>
                <button type="submit" class="self-end rounded-lg border border-stone-300 px-3 py-1.5 text-xs font-medium text-stone-800 hover:bg-stone-100">
                    "Send"
                </button>
                <crate::forms::Refusal result />
            </ActionForm>
        </details>
    }
}

/// Who wrote to whom, e.g. `agent:category → agent:fulfillment`, or for a
/// person, `a person of Category Management → agent:fulfillment`.
fn route_text(message: &MessageView) -> String {
    let from = if message.sent_by.starts_with("user:") {
        format!("a person of {}", message.from.title())
    } else {
        format!("agent:{}", message.from.slug())
    };
    if message.from == message.to {
        format!("{from} → its own people")
    } else {
        format!("{from} → agent:{}", message.to.slug())
    }
}
