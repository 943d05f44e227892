// Live updates and small conveniences. Every page works without this file.
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.dataset.csrf;

  // The conversation: new messages arrive over server-sent events.
  var thread = document.getElementById("thread");
  function toBottom() { if (thread) thread.scrollTop = thread.scrollHeight; }
  toBottom();
  if (thread && thread.dataset.stream && window.EventSource) {
    var stream = new EventSource(thread.dataset.stream);
    stream.addEventListener("message", function (event) {
      var holder = document.createElement("ol");
      holder.innerHTML = event.data;  // rendered and escaped by the server's template
      var line = holder.firstElementChild;
      if (!line || thread.querySelector('[data-id="' + line.dataset.id + '"]')) return;
      line.classList.add("new");
      thread.appendChild(line);
      toBottom();
    });
    stream.addEventListener("case", function () {
      var note = document.getElementById("case-changed");
      if (note) note.hidden = false;
    });
  }

  // Sending a reply without leaving the page; the stream shows it in the thread.
  var form = document.getElementById("reply-form");
  if (form && window.fetch) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = form.elements.namedItem("text");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        headers: { "x-csrftoken": csrf, "x-requested-with": "fetch" },
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
      }).then(function (response) {
        if (!response.ok) return response.text().then(function (t) { throw new Error(t || response.status); });
        text.value = "";
        var sent = document.getElementById("service-id");
        if (sent) sent.value = "";
      }).catch(function (error) {
        window.alert(document.body.dataset.notSent + " " + error.message);
      }).finally(function () {
        button.disabled = false;
        text.focus();
      });
    });
  }

  // A canned reply fills the box, ready to edit.
  var canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", function () {
      var box = document.getElementById("reply-text");
      if (canned.value && box) { box.value = canned.value; box.focus(); }
      canned.value = "";
    });
  }

  // An entry of the service directory fills the box (in the worker's language); the entry's
  // id goes with the reply for the audit.
  var service = document.getElementById("service-pick");
  if (service) {
    service.addEventListener("change", function () {
      var box = document.getElementById("reply-text");
      var chosen = service.options[service.selectedIndex];
      if (service.value && box) {
        box.value = chosen.dataset.text;
        document.getElementById("service-id").value = service.value;
        box.focus();
      }
      service.value = "";
    });
  }

  // Notifications and queue changes.
  if (body.dataset.events && window.EventSource) {
    var events = new EventSource(body.dataset.events);
    var badge = document.getElementById("unread");
    events.addEventListener("notify", function (event) {
      var unread = JSON.parse(event.data).unread;
      if (badge) { badge.hidden = !unread; badge.textContent = unread; }
    });
    var live = document.querySelector("[data-live-queues]");
    var reloading = null;
    events.addEventListener("queues", function () {
      if (!live || reloading) return;
      reloading = setTimeout(function () { window.location.reload(); }, 800);
    });
  }

  // Copy a one-time link with one tap.
  document.querySelectorAll("input.copy").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
