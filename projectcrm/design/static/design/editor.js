/* The process-map editor's pointer work (design/editor.html): drag a step, click to select, connect mode.
 *
 * Everything else is plain forms that htmx posts. Here: a pointer drag on a step posts move-step with the
 * drop point in diagram coordinates (the server picks the swimlane under it and keeps the shape inside);
 * a click selects a step, flow or swimlane (GET ?sel=<key>); in connect mode a click on the source and one
 * on the target post add-flow. Every post carries the editor's data-state, so a stale editor is refused.
 * Listeners sit on the document, so they keep working after htmx swaps #map-editor.
 */
(function () {
  "use strict";

  var drag = null;        // {group, key, start: {x, y}, cx, cy, moved}
  var connecting = false; // connect mode on
  var connectFrom = null; // the source step's key once clicked

  function editor() { return document.getElementById("map-editor"); }

  function csrfToken() {
    var input = document.querySelector("#map-editor input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function svgPoint(svg, evt) {
    var pt = svg.createSVGPoint();
    pt.x = evt.clientX;
    pt.y = evt.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }

  /* Replace the editor with the server's new one, keeping the diagram's scroll position. */
  function swap(html) {
    var old = editor();
    if (!old) { return; }
    var canvas = old.querySelector(".editor-canvas");
    var left = canvas ? canvas.scrollLeft : 0, top = canvas ? canvas.scrollTop : 0;
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.firstElementChild;
    if (!fresh || fresh.id !== "map-editor") { window.location.reload(); return; }
    old.replaceWith(fresh);
    var freshCanvas = fresh.querySelector(".editor-canvas");
    if (freshCanvas) { freshCanvas.scrollLeft = left; freshCanvas.scrollTop = top; }
    if (window.htmx) { window.htmx.process(fresh); }
    setConnecting(false);
    showTools();
  }

  function answer(response) {
    if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
    return response.text();
  }

  function failed(error) {
    var status = document.querySelector("#map-editor .editor-status");
    if (status) {
      var msg = document.createElement("div");
      msg.className = "msg error";
      msg.textContent = String(error);
      status.appendChild(msg);
    }
  }

  function post(op, values) {
    var ed = editor();
    var body = new FormData();
    body.append("state", ed.dataset.state || "");
    Object.keys(values).forEach(function (name) { body.append(name, values[name]); });
    return fetch(ed.dataset.editBase + op + "/", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() }
    }).then(answer).then(swap).catch(failed);
  }

  function select(key) {
    var ed = editor();
    return fetch(ed.dataset.editorUrl + "?sel=" + encodeURIComponent(key), {
      credentials: "same-origin", headers: { "HX-Request": "true" }
    }).then(answer).then(swap).catch(failed);
  }

  function setConnecting(on) {
    connecting = on;
    connectFrom = null;
    var ed = editor();
    if (!ed) { return; }
    ed.classList.toggle("connecting", on);
    var status = ed.querySelector("#connect-status");
    var button = ed.querySelector("#connect-mode");
    if (button) { button.classList.toggle("primary", on); button.setAttribute("aria-pressed", on ? "true" : "false"); }
    if (status) { status.hidden = !on; status.textContent = on ? status.dataset.sourceText : ""; }
    ed.querySelectorAll(".step.connect-source").forEach(function (g) { g.classList.remove("connect-source"); });
  }

  function stepClicked(group) {
    var key = group.dataset.key;
    if (!connecting) { select(key); return; }
    var ed = editor();
    if (!connectFrom) {
      connectFrom = key;
      group.classList.add("connect-source");
      var status = ed.querySelector("#connect-status");
      if (status) { status.textContent = status.dataset.targetText; }
      return;
    }
    var condition = ed.querySelector("#new-flow-condition");
    post("add-flow", { source: connectFrom, target: key, condition: condition ? condition.value : "" });
  }

  document.addEventListener("pointerdown", function (evt) {
    var group = evt.target.closest && evt.target.closest("#map-editor svg g.step");
    if (!group || evt.button !== 0) { return; }
    var svg = group.ownerSVGElement;
    drag = {
      group: group, key: group.dataset.key, start: svgPoint(svg, evt),
      cx: parseFloat(group.dataset.cx), cy: parseFloat(group.dataset.cy), moved: false,
      editable: !!group.closest("#map-editor.editable") && !connecting
    };
    if (drag.editable) { svg.setPointerCapture(evt.pointerId); }
    evt.preventDefault();
  });

  document.addEventListener("pointermove", function (evt) {
    if (!drag || !drag.editable) { return; }
    var p = svgPoint(drag.group.ownerSVGElement, evt);
    var dx = p.x - drag.start.x, dy = p.y - drag.start.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    drag.moved = true;
    drag.group.classList.add("dragging");
    drag.group.setAttribute("transform", "translate(" + dx + " " + dy + ")");
  });

  document.addEventListener("pointerup", function (evt) {
    if (!drag) { return; }
    var current = drag;
    drag = null;
    if (!current.moved) { stepClicked(current.group); return; }
    var p = svgPoint(current.group.ownerSVGElement, evt);
    post("move-step", {
      step: current.key,
      x: Math.round(current.cx + p.x - current.start.x),
      y: Math.round(current.cy + p.y - current.start.y)
    });
  });

  document.addEventListener("click", function (evt) {
    if (!evt.target.closest) { return; }
    if (evt.target.closest("#connect-mode")) { setConnecting(!connecting); return; }
    if (evt.target.closest("#map-editor svg g.step")) { return; } // handled by the pointer events
    var flow = evt.target.closest("#map-editor svg g.flow");
    if (flow) { select(flow.dataset.key); return; }
    var lane = evt.target.closest("#map-editor svg g.lane");
    if (lane && !connecting) { select(lane.dataset.key); }
  });

  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape" && connecting) { setConnecting(false); return; }
    var group = evt.target.closest && evt.target.closest("#map-editor svg g.step");
    if (group && (evt.key === "Enter" || evt.key === " ")) { evt.preventDefault(); stepClicked(group); }
  });

  /* Keep the diagram's scroll position across htmx swaps of the editor, and show the JS-only tools. */
  var saved = null;
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var canvas = document.querySelector("#map-editor .editor-canvas");
    if (canvas) { saved = [canvas.scrollLeft, canvas.scrollTop]; }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var canvas = document.querySelector("#map-editor .editor-canvas");
    if (canvas && saved) { canvas.scrollLeft = saved[0]; canvas.scrollTop = saved[1]; }
    setConnecting(false);
    showTools();
  });

  function showTools() {
    var button = document.querySelector("#connect-mode");
    if (button) { button.hidden = false; }
  }
  document.addEventListener("DOMContentLoaded", showTools);
  if (document.readyState !== "loading") { showTools(); }
})();
