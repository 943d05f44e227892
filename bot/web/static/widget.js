// The helpline's chat on a partner's website: a button that opens /chat in a frame.
//   <script src="https://helpline.example.org/chat/widget.js" data-organisation="migrantcare" async></script>
// data-organisation: the partner's id (flows/organisations.yml), so their queue gets the case;
// data-lang: id or en (default: the page's language). Plain ES5, styles set through the DOM
// (a partner's Content-Security-Policy may forbid inline <style>), inside a shadow root so
// that the partner's CSS leaves it alone. The server fills in STRINGS (both languages).
(function (strings) {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__helplineWidget) {
    return;
  }
  window.__helplineWidget = true;
  var chatUrl = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  var organisation = script.getAttribute("data-organisation") || "";
  var asked = (script.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "id").toLowerCase();
  var lang = asked.indexOf("en") === 0 ? "en" : "id";
  var text = strings[lang];

  function styled(element, styles) {
    for (var name in styles) {
      if (Object.prototype.hasOwnProperty.call(styles, name)) {
        element.style.setProperty(name, styles[name]);
      }
    }
    return element;
  }

  function start() {
    var host = document.createElement("div");
    host.setAttribute("data-helpline-widget", "");
    document.body.appendChild(host);
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

    var button = styled(document.createElement("button"), {
      position: "fixed", right: "16px", bottom: "16px", "z-index": "2147483000",
      padding: "12px 18px", border: "0", "border-radius": "24px", background: "#0b5f57",
      color: "#fff", font: "600 16px/1.2 system-ui, sans-serif", cursor: "pointer",
      "box-shadow": "0 2px 10px rgba(0,0,0,.3)"
    });
    button.type = "button";
    button.textContent = text.open;
    button.setAttribute("aria-expanded", "false");
    root.appendChild(button);

    var frame = null;
    button.addEventListener("click", function () {
      if (!frame) {
        var query = "?embed=1&lang=" + lang + (organisation ? "&organisation=" + encodeURIComponent(organisation) : "");
        frame = styled(document.createElement("iframe"), {
          position: "fixed", right: "16px", bottom: "72px", "z-index": "2147483000",
          width: "min(380px, calc(100vw - 32px))", height: "min(620px, calc(100vh - 96px))",
          border: "1px solid #cfd8d6", "border-radius": "12px", background: "#eef2f1",
          "box-shadow": "0 4px 24px rgba(0,0,0,.3)"
        });
        frame.src = chatUrl + query;
        frame.title = text.title;
        root.appendChild(frame);
      } else {
        frame.hidden = !frame.hidden;
      }
      var open = !frame.hidden;
      button.textContent = open ? text.close : text.open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})(/*STRINGS*/);
