// Parse a calendar file with ical.js (Thunderbird's engine), which uses ONLY the file's own
// VTIMEZONE blocks: a missing or wrong VTIMEZONE shows up as a wrong UTC time.
// Usage: node icaljs_check.mjs [--json] FILE [UID=YYYY-MM-DDTHH:MM:SSZ ...]; exit 1 and a list of
// problems. With --json, what ical.js read is printed as JSON (calendar name; per UID: UTC start,
// SUMMARY, STATUS, SEQUENCE, CONFERENCE) for the caller to compare.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

let args = process.argv.slice(2);
const json = args[0] === "--json";
if (json) args = args.slice(1);
const [file, ...expect] = args;
const want = Object.fromEntries(expect.map((a) => a.split("=")));
const problems = [];
const read = { name: null, events: {} };
const cal = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
const text = (value) => (value == null ? null : String(value).replace(/\\([\\;,nN])/g, (m, c) => (c === "n" || c === "N" ? "\n" : c)));
// ical.js does not know RFC 7986's NAME or X-WR-CALNAME, so it keeps them raw: unescape as TEXT.
read.name = text(cal.getFirstPropertyValue("name"));
read.calname = text(cal.getFirstPropertyValue("x-wr-calname"));
const tzids = new Set(
  cal.getAllSubcomponents("vtimezone").map((tz) => {
    ICAL.TimezoneService.register(tz);
    return tz.getFirstPropertyValue("tzid");
  }),
);
for (const ve of cal.getAllSubcomponents("vevent")) {
  const ev = new ICAL.Event(ve);
  const id = ev.uid || ev.summary;
  for (const p of ve.getAllProperties()) {
    if (!/^[a-z0-9-]+$/.test(p.name)) problems.push(`${id}: bogus property ${JSON.stringify(p.name.slice(0, 30))}`);
    const t = p.getParameter("tzid");
    if (t && !tzids.has(t)) problems.push(`${id}: ${p.name} TZID=${t} has no VTIMEZONE`);
  }
  if (!ev.startDate) { problems.push(`${id}: no DTSTART`); continue; }
  const utc = ev.startDate.convertToZone(ICAL.Timezone.utcTimezone).toString();
  if (want[ev.uid] && want[ev.uid] !== utc) problems.push(`${id}: starts ${utc}, expected ${want[ev.uid]}`);
  delete want[ev.uid];
  read.events[ev.uid] = {
    start: utc,
    summary: ev.summary,
    status: ve.getFirstPropertyValue("status"),
    sequence: ev.sequence,
    conference: ve.getFirstPropertyValue("conference"),
  };
}
for (const uid of Object.keys(want)) problems.push(`${uid}: not in the file`);
if (json) console.log(JSON.stringify(read));
else console.log(problems.length ? "PROBLEMS:\n  " + problems.join("\n  ") : "OK");
if (problems.length && json) console.error("PROBLEMS:\n  " + problems.join("\n  "));
process.exit(problems.length ? 1 : 0);
