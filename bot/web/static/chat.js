// The /chat page: sends the worker's messages to /chat/api/messages and shows the replies.
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
  var exitButton = document.getElementById("quick-exit");

  var USER_KEY = "helpline.web.user";
  // The transcript lives only as long as the tab: a shared phone should not keep it.
  var HISTORY_KEY = "helpline.web.history";
  var HISTORY_LIMIT = 100;
  var TIMEOUT_MS = 30000;
  var ESCAPES_TO_EXIT = 3; // Escape pressed this many times within ESCAPE_WINDOW_MS
  var ESCAPE_WINDOW_MS = 2000;

  var busy = false;
  var leaving = false; // after a quick exit, an answer still on its way must not be kept
  var failed = null; // {text, title, typed, id}: the message that did not get through
  var history = load(sessionStorage, HISTORY_KEY, { items: [], quick: [] });
  var userId = load(localStorage, USER_KEY, null);
  if (!userId) {
    userId = randomId();
    save(localStorage, USER_KEY, userId);
  }

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

  function showError(message, canRetry) {
    errorText.textContent = message;
    retryButton.hidden = !canRetry;
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
      response = await post({ user_id: userId, text: text, client_message_id: message.id });
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
      save(sessionStorage, HISTORY_KEY, history);
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
      sessionStorage.removeItem(HISTORY_KEY);
    } catch (e) { /* see load() */ }
  }

  // Quick exit: nothing of the chat left on the page, in storage or in this tab's history.
  function quickExit() {
    leaving = true;
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
    // replace(), not assign(): Back must not lead to this page again.
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

  history.items.forEach(function (item) {
    addBubble(item.who, item.text);
  });
  showQuickReplies(history.quick);
})();
