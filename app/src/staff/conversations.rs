//! Agent conversation threads: the messages a function's agent sent and
//! received, as its page shows them (the briefing's inter-agent
//! communications, displayed beside the decisions they lead to).

use kiln_core::conversation::ConversationThread;
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
            {if conversations.is_empty() {
                view! {
                    <p class="mt-3 rounded-xl border border-dashed border-stone-300 p-6 text-sm text-stone-600">
                        {format!(
                            "agent:{} has not messaged or been messaged yet. Agents message each other through POST /api/agents/messages; their conversations show here.",
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
    let stream = super::shell::stream_url(&format!("conversation-{conversation}"));
    view! {
        <article class="rounded-xl border border-stone-200 bg-white p-4" data-conversation=conversation.to_string()>
            <div class="flex items-baseline justify-between gap-2 text-xs text-stone-500">
                <span>
                    {match messages.len() {
                        1 => "1 message".to_owned(),
                        count => format!("{count} messages"),
                    }}
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
                        let about = message.about.map(|decision| {
                            view! {
                                <p class="mt-1 text-xs text-stone-500">
                                    {format!("About decision {decision}")}
                                </p>
                            }
                        });
                        view! {
                            <li class=format!("{align} rounded-lg border {tone} px-3 py-2") data-message=message.message.to_string()>
                                <p class="text-xs font-medium text-stone-700" data-field="route">
                                    {format!("agent:{} → agent:{}", message.from.slug(), message.to.slug())}
                                </p>
                                <p class="mt-1 text-sm text-stone-900" data-field="text">{message.text}</p>
                                {about}
                                <p class="mt-1 text-xs text-stone-400">
                                    {format!("{} · {}", message.sent_by, message.sent_at)}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </article>
    }
}
