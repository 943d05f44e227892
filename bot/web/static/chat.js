// The /chat page: sends the worker's messages to /chat/api/messages and shows the replies, and
// shows what officers send as it arrives (server-sent events from /chat/api/events).
// Who writes is the server's cookie (HttpOnly): the page never makes up an identity.
// Plain ES2017 without a build step, so that old phone browsers run it as it is.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var strings = config.strings;
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var box = document.getElementById("message-text");
  var typing = document.getElementById("typing");
  var errorLine = document.getElementById("error");
  var errorText = errorLine.querySelector(".error-text");
  var retryButton = errorLine.querySelector(".retry");
  var openAlone = errorLine.querySelector(".open-alone");
  var exitButton = document.getElementById("quick-exit");
  var presence = document.getElementById("presence");

  // The transcript lives only as long as the tab: a shared phone should not keep it.
  var HISTORY_KEY = "helpline.web.history";
  var HISTORY_LIMIT = 100;
  var TIMEOUT_MS = 30000;
  var ESCAPES_TO_EXIT = 3; // Escape pressed this many times within ESCAPE_WINDOW_MS
  var ESCAPE_WINDOW_MS = 2000;
  var RECONNECT_MS = 5000; // after the stream was refused (the browser retries other failures)

  var busy = false;
  var leaving = false; // after a quick exit, an answer still on its way must not be kept
  var failed = null; // {text, title, typed, id}: the message that did not get through
  // since: the last message read from the stream; officer: who answered when last seen
  // (undefined: not known yet, null: the bot).
  // Reading window.sessionStorage itself throws where the browser denies storage (a partner's
  // frame with third-party storage blocked): the chat works, it just forgets on reload.
  var tabStorage = storageOrNull("sessionStorage");
  var history = load(tabStorage, HISTORY_KEY, { items: [], quick: [] });
  var stream = null;

  function randomId() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    // randomUUID needs https; getRandomValues works on a plain-http test server too.
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function storageOrNull(name) {
    try {
      return window[name];
    } catch (e) {
      return null;
    }
  }

  // Storage can be missing or full (private mode): the chat still works, it just forgets.
  function load(storage, key, fallback) {
    try {
      var value = storage.getItem(key);
      return value === null ? fallback : JSON.parse(value);
    } catch (e) {
      return fallback;
    }
  }

  function save(storage, key, value) {
    if (leaving) {
      return;
    }
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (e) { /* see load() */ }
  }

  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }

  function addBubble(who, text) {
    var bubble = document.createElement("div");
    bubble.className = "msg " + who;
    bubble.textContent = text; // never innerHTML: replies are plain text
    list.insertBefore(bubble, typing.parentNode === list ? typing : null);
    scrollDown();
    return bubble;
  }

  function remember(who, text) {
    if (leaving) {
      return;
    }
    history.items.push({ who: who, text: text });
    history.items = history.items.slice(-HISTORY_LIMIT);
  }

  function showQuickReplies(quick) {
    var old = list.querySelectorAll(".quick-replies");
    for (var i = 0; i < old.length; i++) {
      old[i].remove();
    }
    if (!quick.length) {
      return;
    }
    var row = document.createElement("div");
    row.className = "quick-replies";
    quick.forEach(function (q) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = q.title;
      button.dataset.payload = q.payload;
      button.addEventListener("click", function () {
        send(q.payload, q.title, false);
      });
      row.appendChild(button);
    });
    list.appendChild(row);
    scrollDown();
  }

  function setBusy(value) {
    busy = value;
    form.classList.toggle("busy", value);
    typing.hidden = !value;
    if (value) {
      list.appendChild(typing);
    }
    scrollDown();
  }

  function showError(message, canRetry, linkAlone) {
    errorText.textContent = message;
    retryButton.hidden = !canRetry;
    openAlone.hidden = !linkAlone;
    openAlone.href = config.standalone;
    errorLine.hidden = false;
  }

  function hideError() {
    errorLine.hidden = true;
  }

  function autosize() {
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight, 160) + "px";
  }

  async function post(body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    try {
      return await fetch(config.api, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: controller ? controller.signal : undefined,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  // text goes to the engine; title is what the worker sees (a quick reply's label).
  async function send(text, title, typed) {
    if (busy || !text.trim()) {
      return;
    }
    var same = failed && failed.text === text && failed.typed === typed;
    // Reusing the id on a retry lets the engine recognise a message it already handled.
    var message = { text: text, title: title, typed: typed, id: same ? failed.id : randomId() };
    failed = null;
    hideError();
    var bubble = addBubble("worker pending", title);
    if (typed) {
      box.value = "";
      autosize();
    }
    setBusy(true);
    var problem = null;
    var response = null;
    try {
      var body = { text: text, client_message_id: message.id };
      if (config.organisation) {
        body.organisation = config.organisation; // the partner whose site this is
      }
      response = await post(body);
      if (response.ok) {
        var data = await response.json();
        bubble.classList.remove("pending");
        remember("worker", title);
        showReplies(data.replies);
      } else {
        problem = response;
      }
    } catch (e) {
      problem = e; // offline, timed out, or a broken answer
    }
    setBusy(false);
    if (problem) {
      bubble.remove();
      if (typed && !box.value.trim()) {
        box.value = text;
        autosize();
      }
      await explain(problem, message);
    } else {
      save(tabStorage, HISTORY_KEY, history);
    }
    if (typed) {
      box.focus();
    }
  }

  // "Delete this chat": the page forgets the conversation; the server keeps the case.
  function clearChat() {
    var bubbles = list.querySelectorAll(".msg, .quick-replies");
    for (var i = 0; i < bubbles.length; i++) {
      bubbles[i].remove();
    }
    history = { items: [], quick: [] };
    try {
      tabStorage.removeItem(HISTORY_KEY);
    } catch (e) { /* see load() */ }
  }

  // Quick exit: nothing of the chat left on the page, in storage or in this tab's history.
  function quickExit() {
    leaving = true;
    if (stream) {
      stream.close();
    }
    try {
      // The server's cookie is HttpOnly: the server forgets it (keepalive: we are leaving).
      fetch(config.leave, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
        keepalive: true,
      }).catch(function () {});
    } catch (e) { /* leave all the same */ }
    try {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf("helpline.") === 0) {
          localStorage.removeItem(key);
        }
      });
      sessionStorage.clear();
    } catch (e) { /* storage may be unavailable: nothing was kept then */ }
    document.cookie.split(";").forEach(function (cookie) {
      var name = cookie.split("=")[0].trim();
      if (name) {
        document.cookie = name + "=; Max-Age=0; path=/";
      }
    });
    document.title = "";
    document.body.textContent = "";
    // replace(), not assign(): Back must not lead to this page again. Inside a partner's page
    // the whole tab leaves, not only the frame (a click or key press allows it).
    if (config.embedded) {
      try {
        window.top.location.replace(config.exit);
        return;
      } catch (e) { /* the browser refused: at least the frame leaves */ }
    }
    window.location.replace(config.exit);
  }

  function showReplies(replies) {
    var quick = [];
    replies.forEach(function (reply) {
      if (reply.action === "clear_chat") {
        clearChat();
        quick = [];
        return;
      }
      addBubble("bot", reply.text);
      remember("bot", reply.text);
      if (reply.quick_replies.length) {
        quick = reply.quick_replies;
      }
    });
    history.quick = quick;
    showQuickReplies(quick);
  }

  async function explain(problem, message) {
    var status = problem instanceof Response ? problem.status : 0;
    if (status === 401) {
      // The browser keeps no cookie here (a partner's page, third-party cookies blocked).
      failed = message;
      showError(strings.no_session, false, true);
      return;
    }
    if (status >= 400 && status < 500) {
      var code = null;
      try {
        code = (await problem.json()).error;
      } catch (e) { /* not our JSON */ }
      showError(code === "text_too_long" ? strings.too_long : strings.failed, false);
      return;
    }
    failed = message;
    showError(status ? strings.failed : strings.offline, true);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(box.value, box.value.trim(), true);
  });

  box.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter breaks the line; leave Enter alone while an IME composes.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send(box.value, box.value.trim(), true);
    }
  });

  box.addEventListener("input", autosize);

  exitButton.addEventListener("click", quickExit);

  // Switching the language replaces the page in the tab's history, so that after a quick
  // exit Back finds no earlier chat page either.
  var languageLinks = document.querySelectorAll(".languages a");
  for (var i = 0; i < languageLinks.length; i++) {
    languageLinks[i].addEventListener("click", function (event) {
      event.preventDefault();
      window.location.replace(this.href);
    });
  }

  var escapes = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var now = Date.now();
    escapes = escapes.filter(function (t) { return now - t < ESCAPE_WINDOW_MS; });
    escapes.push(now);
    if (escapes.length >= ESCAPES_TO_EXIT) {
      quickExit();
    }
  });

  retryButton.addEventListener("click", function () {
    if (!failed) {
      return;
    }
    if (failed.typed) {
      send(box.value, box.value.trim(), true); // the text is back in the box, maybe edited
    } else {
      send(failed.text, failed.title, false);
    }
  });

  // What officers send, and who answers: the stream catches up from `since` after a reload,
  // and the browser sends Last-Event-ID itself when it reconnects.
  function showPresence(officer) {
    presence.hidden = !officer;
    presence.textContent = officer ? strings.answering.replace("%(officer)s", officer) : "";
    var before = history.officer;
    history.officer = officer;
    if (before === undefined || before === officer) {
      return; // first seen: the strip says it; nothing changed
    }
    var line = officer ? strings.joined.replace("%(officer)s", officer) : strings.bot_back;
    addBubble("system", line);
    remember("system", line);
  }

  function connect() {
    if (!window.EventSource || leaving) {
      return;
    }
    var url = config.events + "?lang=" + encodeURIComponent(config.lang);
    if (history.since) {
      url += "&since=" + encodeURIComponent(history.since);
    }
    stream = new EventSource(url);
    stream.addEventListener("message", function (event) {
      var message = JSON.parse(event.data);
      if (history.since && message.id <= history.since) {
        return; // shown already
      }
      var who = message.from === "officer" ? "officer" : "bot";
      addBubble(who, message.text);
      remember(who, message.text);
      history.since = message.id;
      if (message.quick_replies.length) {
        history.quick = message.quick_replies;
        showQuickReplies(history.quick);
      }
      save(tabStorage, HISTORY_KEY, history);
    });
    stream.addEventListener("presence", function (event) {
      showPresence(JSON.parse(event.data).officer);
      save(tabStorage, HISTORY_KEY, history);
    });
    stream.addEventListener("error", function () {
      // CLOSED: refused (no cookie yet, say); otherwise the browser reconnects by itself.
      if (stream.readyState === EventSource.CLOSED) {
        stream = null;
        setTimeout(connect, RECONNECT_MS);
      }
    });
  }

  history.items.forEach(function (item) {
    addBubble(item.who, item.text);
  });
  showQuickReplies(history.quick);
  if (history.officer) {
    presence.hidden = false;
    presence.textContent = strings.answering.replace("%(officer)s", history.officer);
  }
  connect();
})();
