// On a phone the row of sections and the row of entries scroll sideways: bring the page's own
// section and entry into view.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".mainnav, .subnav").forEach(function (row) {
    var current = row.querySelector("[aria-current]");
    if (current && row.scrollWidth > row.clientWidth) {
      row.scrollLeft += current.getBoundingClientRect().left - row.getBoundingClientRect().left
        - (row.clientWidth - current.offsetWidth) / 2;
    }
  });
});
