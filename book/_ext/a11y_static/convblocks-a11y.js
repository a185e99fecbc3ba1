// Conv Blocks keyboard access.
// A display formula wider than its box scrolls sideways inside it
// (convblocks-site.css); such a formula becomes a Tab stop so that keyboard
// users can scroll it with the arrow keys. Formulas that fit stay out of the
// Tab order. pydata-sphinx-theme does the same for code blocks and outputs.
(function () {
  "use strict";
  var MARK = "data-cb-scroll-stop";

  function update() {
    var boxes = document.querySelectorAll('mjx-container[display="true"]');
    Array.prototype.forEach.call(boxes, function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute(MARK, "");
      } else if (!scrolls && box.hasAttribute(MARK)) {
        box.removeAttribute("tabindex");
        box.removeAttribute(MARK);
      }
    });
  }

  var pending = null;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(update, 100);
  }

  // A chapter's demo comes after its whole text: dozens of links, folds and
  // copy buttons. Next to the theme's "Skip to main content" we offer "Skip to
  // the demo", so the keyboard reaches it in three presses (Tab, Tab, Enter).
  function addDemoSkipLink() {
    var demo = document.querySelector(".cb-demo[id]");
    var skip = document.getElementById("pst-skip-link");
    if (!demo || !skip || document.getElementById("cb-skip-to-demo")) return;
    var box = skip.cloneNode(false);
    box.id = "cb-skip-to-demo";
    var link = document.createElement("a");
    link.href = "#" + demo.id;
    link.textContent = "Skip to the demo";
    box.appendChild(link);
    skip.parentNode.insertBefore(box, skip.nextSibling);
  }
  addDemoSkipLink();

  function start() {
    var typeset = window.MathJax && MathJax.startup && MathJax.startup.promise;
    Promise.resolve(typeset).then(function () {
      update();
      // Widths change with the window, and when a folded answer opens.
      window.addEventListener("resize", later);
      document.addEventListener("toggle", later, true);
    });
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
