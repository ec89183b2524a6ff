/*
 * Lastmile chat widget: one script tag adds a chat bubble to any page.
 *
 *   <script src="https://HOST/widget.js" data-title="Ask Quarrymark" data-accent="#0b5cad" defer></script>
 *
 * - Talks only to the API that served this file (the script's own origin); fetches nothing else.
 * - Lives in a Shadow DOM: the page's CSS cannot reach in and ours cannot leak out.
 * - Every string from a buyer, a document or a rep is set with textContent: nothing is parsed as HTML.
 * - The conversation id and its token are kept in localStorage (per API origin), so a reload or another
 *   page of the same site continues the conversation.
 * - "Leave your contact details" (name, work e-mail, company, an unticked consent box with the server's
 *   consent text) is optional: answers never wait for it. The page it was opened on, its referrer and UTM
 *   parameters go with the new conversation, for the vendor's segment insights.
 * - Answers stream in (fetch + ReadableStream, parsing server-sent events); each carries numbered citation
 *   chips that open the quoted passage and its document, and a "Talk to an expert" button. While a person
 *   is on the conversation, the widget polls the transcript and shows the rep's reply where it belongs.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  if (!script || !script.src || customElements.get("lastmile-chat")) return; // once per page
  customElements.define("lastmile-chat", class extends HTMLElement {});

  const API = new URL(script.src, location.href).origin;
  const TITLE = (script.dataset.title || "Ask about our product").slice(0, 80);
  const ACCENT = /^#[0-9a-fA-F]{6}$/.test(script.dataset.accent || "") ? script.dataset.accent : "#1f5fbf";
  const STORE_KEY = "lastmile:conversation:" + API;
  const OPEN_KEY = "lastmile:open:" + API;
  const POLL_MS = 4000; // while a person is on the conversation: 15 requests a minute
  const MAX_CHARS = 4000; // the server's limit for one message
  const WAITING = ["open", "claimed"]; // a rep has yet to reply: show the banner
  const LISTENING = ["open", "claimed", "replied"]; // a rep may still write: keep polling

  // ---------------------------------------------------------------- small DOM helpers (text only, never markup)

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function chatIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.append(path);
    return svg;
  }

  function onAccent(hex) {
    // Dark or white text, whichever reads better on the accent colour (WCAG relative luminance).
    const channel = (i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    return luminance > 0.179 ? "#111111" : "#ffffff";
  }

  // ---------------------------------------------------------------- styles (scoped to the shadow root)

  const CSS = `
:host { all: initial !important; display: block !important; position: fixed !important; right: 0 !important;
  bottom: 0 !important; width: 0 !important; height: 0 !important; margin: 0 !important; padding: 0 !important;
  z-index: 2147483000 !important; visibility: visible !important; opacity: 1 !important;
  transform: none !important; filter: none !important; }
*, *::before, *::after { box-sizing: border-box; }
.root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.45; color: #1a1a1a; text-align: left; letter-spacing: normal; }
button, textarea { font: inherit; letter-spacing: inherit; }
button { cursor: pointer; }
:focus { outline: none; }
:focus-visible { outline: 3px solid #ffffff; box-shadow: 0 0 0 5px #111111; }
.launcher { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; padding: 0; border: 0;
  border-radius: 50%; background: var(--accent); color: var(--on-accent); display: grid; place-items: center;
  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25); }
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.launcher .dot { position: absolute; top: 3px; right: 3px; width: 14px; height: 14px; border-radius: 50%;
  background: #c62828; border: 2px solid #ffffff; }
.launcher .dot[hidden] { display: none; }
.panel { position: fixed; right: 20px; bottom: 88px; width: 380px; max-width: calc(100vw - 40px); height: 600px;
  max-height: calc(100vh - 108px); display: flex; flex-direction: column; background: #ffffff;
  border: 1px solid #c9ced6; border-radius: 12px; box-shadow: 0 12px 40px rgba(0, 0, 0, 0.22); overflow: hidden; }
.panel[hidden] { display: none; }
.header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: var(--accent);
  color: var(--on-accent); }
.header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; line-height: 1.3; color: inherit; }
.header button { padding: 4px 10px; border: 1px solid currentColor; border-radius: 6px; background: transparent;
  color: inherit; font-size: 13px; }
.header .close { font-size: 18px; line-height: 1; padding: 4px 9px; }
.intro { margin: 0; padding: 8px 12px; font-size: 13px; color: #44474d; border-bottom: 1px solid #e3e6ea; }
.log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
.msg { max-width: 92%; padding: 8px 10px; border-radius: 10px; overflow-wrap: anywhere; }
.msg p { margin: 0 0 6px; white-space: pre-wrap; }
.msg p:last-of-type { margin-bottom: 0; }
.who { display: block; margin-bottom: 2px; font-size: 12px; font-weight: 600; }
.buyer { align-self: flex-end; background: var(--accent); color: var(--on-accent); }
.assistant { align-self: flex-start; background: #f1f3f5; color: #1a1a1a; }
.assistant .who { color: #44474d; }
.rep { align-self: flex-start; background: #fff7e0; color: #1a1a1a; border: 1px solid #b58900; }
.rep .who { color: #5c4500; }
.notice { align-self: center; font-size: 13px; color: #44474d; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.chip { max-width: 100%; padding: 2px 9px; border: 1px solid #5f6368; border-radius: 999px; background: #ffffff;
  color: #1a1a1a; font-size: 13px; text-align: left; }
.chip[aria-expanded="true"] { background: #e6ecf8; border-color: #1a1a1a; }
.quote { margin: 8px 0 0; padding: 8px 10px; background: #ffffff; border-left: 4px solid var(--accent);
  border-radius: 4px; }
.quote[hidden] { display: none; }
.quote blockquote { margin: 0; white-space: pre-wrap; }
.quote figcaption { margin-top: 4px; font-size: 13px; color: #44474d; }
.quote cite { font-style: normal; font-weight: 600; color: #1a1a1a; }
.expert { margin-top: 8px; padding: 3px 10px; border: 1px solid #5f6368; border-radius: 6px; background: #ffffff;
  color: #1a1a1a; font-size: 13px; }
.banner { margin: 0 12px 8px; padding: 8px 10px; border: 1px solid #b58900; border-radius: 8px;
  background: #fff7e0; color: #1a1a1a; font-size: 14px; }
.banner[hidden] { display: none; }
.alert { margin: 0 12px 6px; color: #b3261e; font-size: 14px; }
.alert:empty { display: none; }
.composer { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid #e3e6ea; }
.composer textarea { flex: 1; min-height: 44px; max-height: 120px; padding: 8px; resize: none; color: #1a1a1a;
  background: #ffffff; border: 1px solid #5f6368; border-radius: 8px; }
.composer .send { padding: 0 16px; border: 0; border-radius: 8px; background: var(--accent); color: var(--on-accent);
  font-weight: 600; }
.composer .send:disabled { cursor: progress; }
.contact { margin: 0; padding: 6px 12px; border-bottom: 1px solid #e3e6ea; font-size: 13px; }
.contact summary { cursor: pointer; color: #1a1a1a; font-weight: 600; }
.contact form { display: grid; gap: 6px; margin-top: 6px; }
.contact input[type="text"], .contact input[type="email"] { padding: 5px 7px; color: #1a1a1a; background: #ffffff;
  border: 1px solid #5f6368; border-radius: 6px; font: inherit; }
.contact .consent { display: flex; gap: 6px; align-items: flex-start; color: #1a1a1a; }
.contact .save { justify-self: start; padding: 4px 12px; border: 0; border-radius: 6px; background: var(--accent);
  color: var(--on-accent); font-weight: 600; }
.contact .done { margin: 6px 0 0; color: #1a1a1a; }
.contact .done:empty { display: none; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media (max-width: 480px), (max-height: 560px) {
  .panel { right: 0; bottom: 0; width: 100vw; max-width: 100vw; height: 100vh; max-height: 100vh; border-radius: 0; }
}
@media (prefers-reduced-motion: no-preference) { .panel { transition: opacity 0.12s ease-out; } }
`;

  // ---------------------------------------------------------------- the widget's elements

  const host = document.createElement("lastmile-chat");
  const shadow = host.attachShadow({ mode: "open" });
  const root = el("div", { class: "root" });
  root.style.setProperty("--accent", ACCENT);
  root.style.setProperty("--on-accent", onAccent(ACCENT));

  const unread = el("span", { class: "dot", hidden: true, "aria-hidden": "true" });
  const launcher = el(
    "button",
    { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "lm-panel", "aria-label": "Chat: " + TITLE },
    chatIcon(),
    unread,
  );
  const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
  const banner = el("p", { class: "banner", role: "status", hidden: true });
  const alertLine = el("p", { class: "alert", role: "alert" });
  const input = el("textarea", {
    id: "lm-input",
    rows: "2",
    maxlength: String(MAX_CHARS),
    placeholder: "Ask a question about the product",
    autocomplete: "off",
  });
  const send = el("button", { class: "send", type: "submit", text: "Send" });
  const form = el(
    "form",
    { class: "composer", "aria-label": "Ask a question" },
    el("label", { for: "lm-input", class: "visually-hidden", text: "Your question" }),
    input,
    send,
  );
  function field(id, label, type, autocomplete) {
    const node = el("input", { id, type, autocomplete, maxlength: "200" });
    return [el("label", { for: id, text: label }), node];
  }
  const [nameLabel, nameInput] = field("lm-name", "Name", "text", "name");
  const [emailLabel, emailInput] = field("lm-email", "Work e-mail", "email", "email");
  const [companyLabel, companyInput] = field("lm-company", "Company", "text", "organization");
  const consentBox = el("input", { id: "lm-consent", type: "checkbox" });
  const consentText = el("span", { text: "Loading the consent text ..." });
  const contactDone = el("p", { class: "done", role: "status" });
  const contactForm = el(
    "form",
    { "aria-label": "Leave your contact details" },
    nameLabel,
    nameInput,
    emailLabel,
    emailInput,
    companyLabel,
    companyInput,
    el("label", { class: "consent", for: "lm-consent" }, consentBox, consentText),
    el("button", { class: "save", type: "submit", text: "Send my details" }),
  );
  const contact = el(
    "details",
    { class: "contact" },
    el("summary", { text: "Leave your contact details (optional)" }),
    contactForm,
    contactDone,
  );
  const newChat = el("button", { type: "button", class: "new", text: "New chat" });
  const close = el("button", { type: "button", class: "close", "aria-label": "Close chat", text: "\u00d7" });
  const panel = el(
    "section",
    { id: "lm-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "lm-title", hidden: true },
    el("div", { class: "header" }, el("h2", { id: "lm-title", text: TITLE }), newChat, close),
    el("p", {
      class: "intro",
      text: "Answers come from the product documentation, with their sources. A product expert takes over when needed.",
    }),
    contact,
    log,
    banner,
    alertLine,
    form,
  );
  root.append(launcher, panel);
  shadow.append(el("style", { text: CSS }), root);

  // ---------------------------------------------------------------- state

  let conversation = loadConversation(); // {id, token} or null
  let lastId = 0; // the newest message id shown
  const shown = new Set(); // message ids already in the log
  let handoffState = null;
  let busy = false;
  let pollTimer = null;

  function loadConversation() {
    try {
      const value = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      return value && typeof value.id === "string" && typeof value.token === "string" ? value : null;
    } catch (_) {
      return null;
    }
  }

  function saveConversation(value) {
    conversation = value;
    try {
      if (value) localStorage.setItem(STORE_KEY, JSON.stringify(value));
      else localStorage.removeItem(STORE_KEY);
    } catch (_) {
      /* storage refused (private mode): the conversation lasts as long as the page */
    }
  }

  function forget(notice) {
    saveConversation(null);
    lastId = 0;
    shown.clear();
    log.replaceChildren();
    setHandoff(null);
    if (notice) log.append(el("p", { class: "notice", text: notice }));
  }

  // ---------------------------------------------------------------- the API

  function path(suffix) {
    return "/v1/conversations/" + encodeURIComponent(conversation.id) + suffix;
  }

  async function call(method, url, body, accept) {
    const headers = { Accept: accept || "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (conversation) headers.Authorization = "Bearer " + conversation.token;
    return fetch(API + url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      mode: "cors",
    });
  }

  async function problem(response) {
    // {code, message, retryAfter} from an error response (always JSON from this API).
    let code = "http_" + response.status;
    let message = "";
    try {
      const body = await response.json();
      code = body.error.code;
      message = body.error.message;
    } catch (_) {
      /* not JSON: keep the status */
    }
    return { code, message, status: response.status, retryAfter: Number(response.headers.get("Retry-After")) || 0 };
  }

  function explain(error) {
    if (error.code === "rate_limited") {
      return `You're sending messages faster than I can answer; please try again in ${error.retryAfter || 10} seconds.`;
    }
    if (error.code === "message_rejected") return "Sorry, I can't take that message: " + error.message + ".";
    if (error.code === "conversation_ended") return "This conversation has ended: your next message starts a new one.";
    if (error.status >= 500 || !error.status) return "I can't reach the assistant right now; please try again in a moment.";
    return "Sorry, that didn't work: " + (error.message || error.code) + ".";
  }

  function showError(error) {
    alertLine.textContent = explain(error);
  }

  async function ensureConversation() {
    if (conversation) return true;
    // Where the chat was opened: the server keeps the page without its query, the referrer's host, the UTM.
    const response = await call("POST", "/v1/conversations", {
      landing_url: location.href.slice(0, 2000),
      referrer: document.referrer.slice(0, 2000),
    });
    if (!response.ok) {
      showError(await problem(response));
      return false;
    }
    const created = await response.json();
    saveConversation({ id: created.conversation_id, token: created.token });
    return true;
  }

  // ---------------------------------------------------------------- rendering

  function paragraphs(text) {
    return String(text)
      .split(/\n{2,}/)
      .filter((part) => part.trim())
      .map((part) => el("p", { text: part }));
  }

  function message(kind, who, ...body) {
    return el("div", { class: "msg " + kind }, el("span", { class: "who", text: who }), ...body);
  }

  function renderMessage(item) {
    if (item.role === "buyer") return message("buyer", "You", ...paragraphs(item.text));
    if (item.role === "rep") {
      return message("rep", (item.author || "Our team") + ", product expert", ...paragraphs(item.text));
    }
    const node = message("assistant", "Assistant");
    if (item.answer) fillAnswer(node, item.answer);
    else node.append(...paragraphs(item.text));
    return node;
  }

  function fillAnswer(node, answer) {
    node.replaceChildren(el("span", { class: "who", text: "Assistant" }), ...paragraphs(answer.text));
    node.removeAttribute("aria-busy");
    const citations = answer.citations || [];
    if (citations.length) {
      const chips = el("div", { class: "chips", role: "group", "aria-label": "Sources" });
      const quotes = [];
      for (const citation of citations) {
        const id = `lm-quote-${answer.message_id}-${citation.marker}`;
        const where = [citation.source];
        if (citation.heading) where.push("section: " + citation.heading);
        if (citation.page) where.push("page " + citation.page);
        const quote = el(
          "figure",
          { class: "quote", id, hidden: true },
          el("blockquote", { text: citation.quote }),
          el("figcaption", {}, el("cite", { text: citation.title || citation.source }), " \u00b7 " + where.join(" \u00b7 ")),
        );
        const chip = el("button", {
          type: "button",
          class: "chip",
          "aria-expanded": "false",
          "aria-controls": id,
          text: `[${citation.marker}] ${citation.title || citation.source}`,
          onclick: () => {
            const open = chip.getAttribute("aria-expanded") !== "true";
            chip.setAttribute("aria-expanded", String(open));
            quote.hidden = !open;
          },
        });
        chips.append(chip);
        quotes.push(quote);
      }
      node.append(chips, ...quotes);
    }
    node.append(el("button", { type: "button", class: "expert", text: "Talk to an expert", onclick: requestHuman }));
  }

  function append(node, id) {
    if (id !== undefined) {
      shown.add(id);
      lastId = Math.max(lastId, id);
    }
    log.append(node);
    log.scrollTop = log.scrollHeight;
  }

  function setHandoff(state) {
    handoffState = state || null;
    const waiting = WAITING.includes(handoffState);
    banner.hidden = !waiting;
    banner.textContent = waiting
      ? "An expert will reply here. You can keep asking questions in the meantime."
      : "";
    schedulePoll();
  }

  // ---------------------------------------------------------------- the transcript (reload, rep replies)

  async function refresh(ownText) {
    if (!conversation) return;
    let response;
    try {
      response = await call("GET", path("/messages?after=" + lastId));
    } catch (_) {
      return schedulePoll(); // offline for a moment: try again later
    }
    if (response.status === 404 || response.status === 401) {
      forget("This conversation is no longer available: your next message starts a new one.");
      return;
    }
    if (!response.ok) {
      const error = await problem(response);
      return schedulePoll(error.retryAfter * 1000);
    }
    const transcript = await response.json();
    for (const item of transcript.messages) {
      lastId = Math.max(lastId, item.id);
      if (shown.has(item.id)) continue;
      if (ownText !== undefined && item.role === "buyer" && item.text === ownText) {
        ownText = undefined; // the question this widget just showed itself
        shown.add(item.id);
        continue;
      }
      const node = renderMessage(item);
      append(node, item.id);
      if (item.role === "rep" && panel.hidden) unread.hidden = false;
    }
    if (transcript.ended) {
      forget("This conversation has ended: your next message starts a new one.");
      return;
    }
    setHandoff(transcript.handoff && transcript.handoff.state);
  }

  function schedulePoll(delay) {
    clearTimeout(pollTimer);
    pollTimer = null;
    if (conversation && LISTENING.includes(handoffState)) {
      pollTimer = setTimeout(() => (busy ? schedulePoll() : refresh()), Math.max(delay || 0, POLL_MS));
    }
  }

  // ---------------------------------------------------------------- asking (the answer streams in)

  function parseEvent(block) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue; // comments are keep-alives
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return null;
    return { event, data: JSON.parse(data.join("\n")) };
  }

  async function* events(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done }).replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const parsed = parseEvent(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (parsed) yield parsed;
      }
      if (done) return;
    }
  }

  function setBusy(value) {
    busy = value;
    send.disabled = value;
    form.setAttribute("aria-busy", String(value));
  }

  async function ask(text) {
    setBusy(true);
    alertLine.textContent = "";
    const before = lastId;
    let answered = null;
    let mine = null;
    let bubble = null;
    let interrupted = false;
    const giveBack = () => {
      // Not taken: the question goes back in the box, nothing is lost.
      if (mine) mine.remove();
      if (bubble) bubble.remove();
      if (!input.value) input.value = text;
    };
    try {
      if (!(await ensureConversation())) return giveBack();
      mine = message("buyer", "You", ...paragraphs(text));
      append(mine);
      const streamed = el("p", {});
      bubble = message("assistant", "Assistant", streamed);
      bubble.setAttribute("aria-busy", "true");
      append(bubble);
      const response = await call("POST", path("/messages"), { text }, "text/event-stream");
      if (!response.ok) {
        const error = await problem(response);
        giveBack();
        if (error.code === "conversation_not_found" || error.code === "conversation_ended") {
          forget(explain({ code: "conversation_ended" }));
        } else {
          showError(error);
        }
        return;
      }
      for await (const { event, data } of events(response)) {
        if (event === "token") {
          streamed.textContent += data.text;
          log.scrollTop = log.scrollHeight;
        } else if (event === "answer") {
          answered = data;
          fillAnswer(bubble, data);
          append(bubble, data.message_id);
        } else if (event === "error") {
          giveBack();
          showError({ code: data.error.code, message: data.error.message, status: 200 });
          return;
        }
      }
      interrupted = !answered;
      if (interrupted) showError({ code: "interrupted", status: 0 });
    } catch (_) {
      interrupted = Boolean(bubble) && !answered;
      if (!bubble) giveBack();
      showError({ code: "network", status: 0 });
    } finally {
      setBusy(false);
    }
    if (interrupted) {
      // The stream broke after the question was sent: the server may still store the turn; show what it
      // has, and keep the question in the box to send again.
      bubble.remove();
      if (!input.value) input.value = text;
      lastId = before;
      await refresh(text);
      return;
    }
    if (answered) {
      lastId = before; // pick up anything a rep wrote meanwhile (this turn's messages are marked shown)
      await refresh(text);
      if (answered.handoff.handed_off && !LISTENING.includes(handoffState)) setHandoff("open");
    }
  }

  async function requestHuman(event) {
    const button = event.currentTarget;
    button.disabled = true;
    alertLine.textContent = "";
    try {
      if (!(await ensureConversation())) return;
      const response = await call("POST", path("/handoff"));
      if (!response.ok) {
        showError(await problem(response));
        return;
      }
      const handoff = await response.json();
      await refresh();
      setHandoff(handoff.state);
    } catch (_) {
      showError({ code: "network", status: 0 });
    } finally {
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------- contact details (optional, with consent)

  let consentLoaded = false;

  async function loadConsent() {
    if (consentLoaded) return;
    try {
      const response = await call("GET", "/v1/consent");
      if (!response.ok) throw new Error("no consent text");
      consentText.textContent = (await response.json()).consent_text;
      consentLoaded = true;
    } catch (_) {
      consentText.textContent = "The consent text could not be loaded; please try again later.";
    }
  }

  async function leaveContact(event) {
    event.preventDefault();
    alertLine.textContent = "";
    contactDone.textContent = "";
    if (!consentLoaded || !consentBox.checked) {
      contactDone.textContent = "Please tick the box to agree first: nothing is sent without it.";
      return;
    }
    try {
      if (!(await ensureConversation())) return;
      const response = await call("POST", path("/contact"), {
        name: nameInput.value.trim(),
        email: emailInput.value.trim(),
        company: companyInput.value.trim(),
        consent: true,
      });
      if (!response.ok) {
        const error = await problem(response);
        contactDone.textContent = "Not sent: " + (error.message || error.code) + ".";
        return;
      }
      const saved = await response.json();
      contactDone.textContent = "Thanks, " + saved.name + ": an expert can now follow up with you.";
    } catch (_) {
      showError({ code: "network", status: 0 });
    }
  }

  contact.addEventListener("toggle", () => contact.open && loadConsent());
  contactForm.addEventListener("submit", leaveContact);

  async function startOver() {
    if (conversation) {
      try {
        await call("POST", path("/end"));
      } catch (_) {
        /* the server may be unreachable: forget the conversation here all the same */
      }
    }
    forget();
    alertLine.textContent = "";
    input.focus();
  }

  // ---------------------------------------------------------------- opening, closing, keyboard

  function setOpen(open, focus) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    try {
      sessionStorage.setItem(OPEN_KEY, open ? "1" : "");
    } catch (_) {
      /* not remembered: fine */
    }
    if (open) {
      unread.hidden = true;
      log.scrollTop = log.scrollHeight;
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", () => setOpen(panel.hidden, true));
  close.addEventListener("click", () => setOpen(false, true));
  newChat.addEventListener("click", startOver);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      setOpen(false, true);
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    ask(text);
  });

  function mount() {
    document.body.append(host);
    let wasOpen = false;
    try {
      wasOpen = sessionStorage.getItem(OPEN_KEY) === "1";
    } catch (_) {
      /* no session storage */
    }
    if (wasOpen) setOpen(true, false);
    if (conversation) refresh();
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
