// Progressive enhancement only: every page reads the same without this file.
// Shows each <time datetime="…Z"> in the viewer's time zone; the UTC text stays on hover.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"
  });
  var times = document.querySelectorAll("time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var moment = new Date(times[i].getAttribute("datetime"));
    if (!isNaN(moment.getTime())) {
      times[i].title = times[i].textContent;
      times[i].textContent = format.format(moment);
    }
  }
  var notes = document.querySelectorAll(".tz-note");
  for (var j = 0; j < notes.length; j++) {
    notes[j].hidden = false;
  }
});
