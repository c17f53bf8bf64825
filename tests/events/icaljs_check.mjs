// Parse a calendar file with ical.js (Thunderbird's engine), which uses ONLY the file's own
// VTIMEZONE blocks: a missing or wrong VTIMEZONE shows up as a wrong UTC time.
// Usage: node icaljs_check.mjs FILE [UID=YYYY-MM-DDTHH:MM:SSZ ...]; exit 1 and a list of problems.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const [file, ...expect] = process.argv.slice(2);
const want = Object.fromEntries(expect.map((a) => a.split("=")));
const problems = [];
const cal = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
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
}
for (const uid of Object.keys(want)) problems.push(`${uid}: not in the file`);
console.log(problems.length ? "PROBLEMS:\n  " + problems.join("\n  ") : "OK");
process.exit(problems.length ? 1 : 0);
