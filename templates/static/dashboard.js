// Dashboard helpers that need a script; every page works without them.
// A "Copy" button beside one-time invitation links (the link is shown only once).
"use strict";
document.querySelectorAll("input[data-copy]").forEach(function (input) {
  var button = document.createElement("button");
  var status = document.createElement("span");
  button.type = "button";
  button.className = "secondary";
  button.textContent = "Copy link";
  status.setAttribute("role", "status");
  status.className = "saved";
  input.addEventListener("focus", function () { input.select(); });
  button.addEventListener("click", function () {
    input.select();
    var done = function () { status.textContent = " Copied."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        status.textContent = " Select the link and copy it (Ctrl+C).";
      });
    } else {
      done = document.execCommand("copy") ? done : function () {
        status.textContent = " Select the link and copy it (Ctrl+C).";
      };
      done();
    }
  });
  input.insertAdjacentElement("afterend", status);
  input.insertAdjacentElement("afterend", button);
});
