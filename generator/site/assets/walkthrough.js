/* The "What next?" walkthrough (generator/site/walkthrough.py writes its data into the page).
 *
 * No framework, no network: the pathway's decision logic is the JSON document in
 * #pathway-walkthrough-data.  The walk follows the rules of generator/core/scenarios.py `walk`:
 * a computable decision takes its first branch whose condition holds (conditions are trees, never
 * text parsed here); a stage with one next stage that is not a decision passes straight on; a
 * narrative decision (or a stage with several next stages) asks the reader which branch; a stage
 * with no next stage ends the walk; more than maxSteps stages stop it (a loop never hangs).
 * An input is asked only when a condition needs it; a decision visited again asks its inputs again.
 *
 * Every text from the pathway goes into the page with textContent only (tests/site/test_walkthrough.py
 * walks a pathway whose labels are markup).
 */
(function () {
  "use strict";

  var DAYS = { days: 1, weeks: 7, months: 30, years: 365 };
  var root = document.getElementById("pathway-walkthrough");
  if (!root) { return; }  // every page loads this script; only the walkthrough page has the mount point
  if (window.pathwayWalkthroughData) {
    main(window.pathwayWalkthroughData);
  } else {
    // The data sits beside this script (assets/walkthrough-data.js); a script element loads it from
    // file:// too, where fetch() is refused.
    var me = document.currentScript;
    var s = document.createElement("script");
    s.src = me.src.replace(/walkthrough\.js(\?.*)?$/, "walkthrough-data.js");
    s.addEventListener("load", function () { main(window.pathwayWalkthroughData); });
    document.head.appendChild(s);
  }

  function main(doc) {
  var answers = [];
  var uid = 0;

  function Missing(name) { this.name = name; }

  function evaluate(e, values) {
    switch (e.t) {
      case "otherwise": return true;
      case "not": return !evaluate(e.e, values);
      case "and":
        for (var i = 0; i < e.e.length; i++) { if (!evaluate(e.e[i], values)) { return false; } }
        return true;
      case "or":
        for (var j = 0; j < e.e.length; j++) { if (evaluate(e.e[j], values)) { return true; } }
        return false;
    }
    if (!Object.prototype.hasOwnProperty.call(values, e.input)) { throw new Missing(e.input); }
    var v = values[e.input];
    switch (e.t) {
      case "var": return v === true;
      case "in": return (e.values.indexOf(v) >= 0) !== e.neg;
      case "cmp":
        switch (e.op) {
          case "<": return v < e.value;
          case "<=": return v <= e.value;
          case ">": return v > e.value;
          case ">=": return v >= e.value;
          case "==": return v === e.value;
          default: return v !== e.value;
        }
      case "range":
        return (e.lowInc ? e.low <= v : e.low < v) && (e.highInc ? v <= e.high : v < e.high);
    }
    throw new Error("unknown condition node " + e.t);
  }

  function inputsOf(e, out) {
    if (e.input) { out[e.input] = true; }
    if (e.e) { (Array.isArray(e.e) ? e.e : [e.e]).forEach(function (x) { inputsOf(x, out); }); }
    return out;
  }

  /* Replay the answers from the start: where the walk is, and what it needs next. */
  function walk(given) {
    var whens = [];
    var out = walkFrom(given, whens);
    out.whens = whens;
    return out;
  }

  function walkFrom(given, whens) {
    var values = {}, visits = {}, k = 0;
    var cur = doc.start;
    if (!doc.stages[cur]) { return { route: [], edges: [], stuck: "The pathway's start names no stage." }; }
    var route = [cur], edges = [];
    for (;;) {
      var st = doc.stages[cur];
      var n = visits[cur] || 0;
      visits[cur] = n + 1;
      var branches = st.next;
      if (!branches.length) { return { route: route, edges: edges, end: cur }; }
      var taken = null;
      if (st.computable) {
        if (n > 0) {  // a decision met again: the patient's answers may have changed
          var used = {};
          branches.forEach(function (b) { inputsOf(b["if"], used); });
          Object.keys(used).forEach(function (name) { delete values[name]; });
        }
        for (;;) {
          try {
            taken = null;
            for (var i = 0; i < branches.length; i++) {
              if (evaluate(branches[i]["if"], values)) { taken = branches[i]; break; }
            }
            break;
          } catch (err) {
            if (!(err instanceof Missing)) { throw err; }
            if (k < given.length && given[k].input === err.name) {
              values[err.name] = given[k].value;
              k++;
            } else {
              return { route: route, edges: edges, ask: { input: err.name, stage: cur }, answered: k };
            }
          }
        }
        if (taken === null) {
          return { route: route, edges: edges, stuck: "No branch of this decision applies to these answers." };
        }
      } else if (branches.length === 1 && st.kind !== "decision") {
        taken = branches[0];
      } else if (k < given.length && given[k].stage === cur) {
        taken = branches[given[k].branch];
        k++;
      } else {
        return { route: route, edges: edges, ask: { stage: cur }, answered: k };
      }
      route.push(taken.to);
      edges.push(taken.edge);
      whens.push(taken.when || "");
      cur = taken.to;
      if (route.length > doc.maxSteps) {
        return { route: route, edges: edges, stuck: "The walk passed " + doc.maxSteps +
          " steps, so it stopped: the route goes round a loop. Use Back or Start again." };
      }
    }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (a) { node.setAttribute(a, attrs[a]); }); }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function sentence(text) { return /[.?!]$/.test(text) ? text : text + "."; }

  function stageTitle(id) { return doc.stages[id] ? doc.stages[id].title : id; }

  function stageLink(id) {
    var a = el("a", { href: doc.stages[id].href }, stageTitle(id));
    return a;
  }

  /* The route on the flowchart: a class on every node and edge of it (pathway.css draws them thick). */
  function highlight(state) {
    if (!doc.nodePrefix) { return; }
    var p = doc.nodePrefix;
    Array.prototype.forEach.call(document.querySelectorAll(".pathway-wn-on, .pathway-wn-here"), function (n) {
      n.classList.remove("pathway-wn-on");
      n.classList.remove("pathway-wn-here");
    });
    function on(id, cls) {
      var n = document.getElementById(id);
      if (n) { n.classList.add(cls || "pathway-wn-on"); }
    }
    if (state.route.length) { on(p + "start"); on(p + "edge-start"); }
    state.route.forEach(function (sid) { on(p + doc.stages[sid].node); });
    state.edges.forEach(function (eid) {
      on(p + eid);
      on(p + eid + "--from");
      on(p + "cond" + eid.slice(4));
    });
    var last = state.route[state.route.length - 1];
    if (last) { on(p + doc.stages[last].node, "pathway-wn-here"); }
  }

  var status = el("div", { "class": "pathway-wn-status", role: "status", "aria-live": "polite" });
  var panel = el("div", { "class": "pathway-wn-panel" });
  var routeBox = el("div", { "class": "pathway-wn-route" });

  function question(state) {
    var ask = state.ask;
    var form = el("form", { "class": "pathway-wn-form", novalidate: "" });
    var stepId = "pathway-wn-step-" + (++uid);
    var step = el("p", { "class": "pathway-wn-step", id: stepId, tabindex: "-1" },
      "Question " + (state.answered + 1) + ", at " + stageTitle(ask.stage));
    form.appendChild(step);
    var error = el("p", { "class": "pathway-wn-error", id: "pathway-wn-error-" + uid, hidden: "" });
    var fs = el("fieldset", { "aria-describedby": stepId });
    var read;
    function radios(labels, name) {
      labels.forEach(function (label, i) {
        var id = name + "-" + i;
        var row = el("div", { "class": "pathway-wn-option" });
        var r = el("input", { type: "radio", name: name, id: id, value: String(i) });
        row.appendChild(r);
        row.appendChild(el("label", { "for": id }, label));
        fs.appendChild(row);
      });
      return function () {
        var c = form.querySelector('input[name="' + name + '"]:checked');
        if (!c) { return { error: "Choose one answer." }; }
        return { index: Number(c.value) };
      };
    }
    if (ask.input) {
      var inp = doc.inputs[ask.input];
      form.setAttribute("data-input", ask.input);
      fs.appendChild(el("legend", null, inp.label));
      if (inp.description) { fs.appendChild(el("p", { "class": "pathway-wn-hint" }, inp.description)); }
      var name = "pathway-wn-q" + uid;
      if (inp.type === "boolean" || inp.type === "choice") {
        var choices = inp.type === "boolean" ? [true, false] : inp.choices;
        var pick = radios(inp.type === "boolean" ? ["Yes", "No"] : inp.choices, name);
        read = function () {
          var got = pick();
          return got.error ? got : { value: choices[got.index] };
        };
      } else {
        var row = el("div", { "class": "pathway-wn-number" });
        var num = el("input", { type: "number", id: name, name: name, inputmode: "decimal",
          step: inp.type === "integer" ? "1" : "any", "aria-describedby": error.id });
        if (inp.min !== undefined && inp.type !== "duration") { num.setAttribute("min", String(inp.min)); }
        if (inp.max !== undefined && inp.type !== "duration") { num.setAttribute("max", String(inp.max)); }
        row.appendChild(el("label", { "for": name }, inp.type === "duration" ? "Length of time" : "Value"));
        row.appendChild(num);
        var unitSel = null;
        if (inp.type === "duration") {
          unitSel = el("select", { id: name + "-unit", "aria-label": "Unit of time" });
          Object.keys(DAYS).forEach(function (u) { unitSel.appendChild(el("option", { value: u }, u)); });
          unitSel.value = "weeks";
          row.appendChild(unitSel);
        } else if (inp.unit) {
          row.appendChild(el("span", { "class": "pathway-wn-unit" }, inp.unit));
        }
        fs.appendChild(row);
        read = function () {
          var text = num.value.trim();
          var x = Number(text);
          if (text === "" || !isFinite(x)) { return { error: "Enter a number.", focus: num }; }
          if (inp.type === "integer" && Math.floor(x) !== x) { return { error: "Enter a whole number.", focus: num }; }
          if (unitSel) { x = x * DAYS[unitSel.value]; }
          if ((inp.min !== undefined && x < inp.min) || (inp.max !== undefined && x > inp.max)) {
            return { error: "Enter a value from " + inp.min + " to " + inp.max +
              (inp.type === "duration" ? " days" : (inp.unit ? " " + inp.unit : "")) + ".", focus: num };
          }
          return { value: x };
        };
      }
    } else {
      var st = doc.stages[ask.stage];
      form.setAttribute("data-stage", ask.stage);
      fs.appendChild(el("legend", null, "Which way does the patient go from " + st.title + "?"));
      var labels = st.next.map(function (b) {
        return (b.when ? b.when + " \u2192 " : "\u2192 ") + stageTitle(b.to);
      });
      var pickBranch = radios(labels, "pathway-wn-q" + uid);
      read = function () {
        var got = pickBranch();
        return got.error ? got : { branch: got.index };
      };
    }
    form.appendChild(fs);
    form.appendChild(error);
    var buttons = el("div", { "class": "pathway-wn-buttons" });
    buttons.appendChild(el("button", { type: "submit", "class": "md-button md-button--primary" }, "Continue"));
    addNavButtons(buttons);
    form.appendChild(buttons);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var got = read();
      if (got.error) {
        error.textContent = got.error;
        error.hidden = false;
        error.setAttribute("role", "alert");
        var target = got.focus || form.querySelector("input");
        if (target) { target.focus(); }
        return;
      }
      answers.push(ask.input ? { input: ask.input, value: got.value } : { stage: ask.stage, branch: got.branch });
      show(true);
    });
    return { node: form, focus: step };
  }

  function addNavButtons(box) {
    var back = el("button", { type: "button", "class": "md-button pathway-wn-back" }, "Back");
    back.disabled = answers.length === 0;
    back.addEventListener("click", function () { answers.pop(); show(true); });
    var again = el("button", { type: "button", "class": "md-button pathway-wn-restart" }, "Start again");
    again.addEventListener("click", function () { answers = []; show(true); });
    box.appendChild(back);
    box.appendChild(again);
  }

  function ending(state) {
    var box = el("div", { "class": "pathway-wn-end" });
    var head = el("h2", { id: "pathway-wn-end-" + (++uid), tabindex: "-1" });
    if (state.end) {
      box.setAttribute("data-stage", state.end);
      head.textContent = "Stage reached: ";
      head.appendChild(stageLink(state.end));
      box.appendChild(head);
      box.appendChild(el("p", null, "This is where this route of the pathway ends."));
    } else {
      head.textContent = "The walkthrough stopped";
      box.appendChild(head);
      box.appendChild(el("p", { "class": "pathway-wn-error" }, state.stuck));
    }
    var buttons = el("div", { "class": "pathway-wn-buttons" });
    addNavButtons(buttons);
    box.appendChild(buttons);
    return { node: box, focus: head };
  }

  function drawRoute(state) {
    routeBox.textContent = "";
    routeBox.appendChild(el("h2", null, "Route so far"));
    var ol = el("ol", { "class": "pathway-wn-route-list" });
    state.route.forEach(function (sid, i) {
      var li = el("li", { "data-stage": sid });
      li.appendChild(stageLink(sid));
      li.appendChild(document.createTextNode(" (" + doc.stages[sid].kind + ")"));
      if (i > 0 && state.whens[i - 1]) {
        li.appendChild(el("span", { "class": "pathway-wn-when" }, " \u2014 " + state.whens[i - 1]));
      }
      if (i === state.route.length - 1) { li.setAttribute("aria-current", "step"); }
      ol.appendChild(li);
    });
    routeBox.appendChild(ol);
  }

  function show(moveFocus) {
    var state = walk(answers);
    if (state.ask === undefined && state.answered === undefined && state.end === undefined &&
        state.stuck === undefined) { state.stuck = "The walkthrough could not continue."; }
    var part = state.ask ? question(state) : ending(state);
    panel.textContent = "";
    panel.appendChild(part.node);
    drawRoute(state);
    highlight(state);
    var last = state.route[state.route.length - 1];
    status.textContent = state.end ? "Stage reached: " + sentence(stageTitle(state.end)) :
      state.stuck ? "The walkthrough stopped. " + state.stuck :
      "Now at " + sentence(stageTitle(last)) + " " + (state.ask.input ? doc.inputs[state.ask.input].label :
        "Which way does the patient go?");
    if (moveFocus) { part.focus.focus(); }
  }

  root.appendChild(panel);
  root.appendChild(status);
  root.appendChild(routeBox);
  var note = document.getElementById("pathway-walkthrough-noscript");
  if (note) { note.hidden = true; }
  window.pathwayWalkthrough = { evaluate: evaluate, walk: walk, data: doc };
  show(false);
  }
}());
