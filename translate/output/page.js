(function () {
  var lit = [];
  function clear() { lit.forEach(function (e) { e.classList.remove('hl'); }); lit = []; }
  function light(target) {
    var el = target && target.closest ? target.closest('[data-s]') : null;
    if (el && lit.indexOf(el) >= 0) return;
    clear();
    if (!el) return;
    var key = el.getAttribute('data-s');
    lit = Array.prototype.slice.call(document.querySelectorAll('[data-s="' + CSS.escape(key) + '"]'));
    lit.forEach(function (e) { e.classList.add('hl'); });
  }
  document.addEventListener('mouseover', function (ev) { light(ev.target); });
  document.addEventListener('click', function (ev) { light(ev.target); });
  document.addEventListener('mouseleave', clear);
})();
