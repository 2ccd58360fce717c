package dev.cioforwarder.simulator;

/** The one page people watch during a local run: people and the latest events, refreshed live. */
final class SimulatorPage {
    private SimulatorPage() {}

    static final String HTML =
            """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Customer.io simulator</title>
            <style>
              body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
              h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
              table { border-collapse: collapse; width: 100%; }
              th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
              th { background: #f4f4f4; } code { font-size: 12px; white-space: pre-wrap; }
              #summary span { margin-right: 1.5em; }
            </style></head>
            <body>
            <h1>Customer.io simulator</h1>
            <div id="summary">loading…</div>
            <h2>People</h2>
            <table><thead><tr><th>id</th><th>email</th><th>unsubscribed</th><th>created_at</th><th>attributes</th></tr></thead>
            <tbody id="people"></tbody></table>
            <h2>Latest events</h2>
            <table><thead><tr><th>person</th><th>type</th><th>name</th><th>timestamp</th><th>data</th></tr></thead>
            <tbody id="events"></tbody></table>
            <script>
            function cell(text) { const td = document.createElement('td'); td.textContent = text; return td; }
            function code(value) { const td = document.createElement('td'); const c = document.createElement('code');
              c.textContent = JSON.stringify(value); td.appendChild(c); return td; }
            async function refresh() {
              try {
                const [summary, people, events] = await Promise.all([
                  fetch('/__simulator/summary').then(r => r.json()),
                  fetch('/__simulator/people').then(r => r.json()),
                  fetch('/__simulator/events?limit=50').then(r => r.json())]);
                const s = document.getElementById('summary'); s.textContent = '';
                for (const k of ['requests', 'operations', 'people', 'events', 'duplicate_events_ignored', 'rejected_operations']) {
                  const span = document.createElement('span'); span.textContent = k + ': ' + summary[k]; s.appendChild(span);
                }
                const p = document.getElementById('people'); p.textContent = '';
                for (const person of people) {
                  const tr = document.createElement('tr');
                  tr.append(cell(person.id ?? ''), cell(person.email ?? ''), cell(person.unsubscribed),
                            cell(person.created_at ?? ''), code(person.attributes));
                  p.appendChild(tr);
                }
                const e = document.getElementById('events'); e.textContent = '';
                for (const ev of events.reverse()) {
                  const tr = document.createElement('tr');
                  tr.append(cell(ev.person_id ?? ev.person_email), cell(ev.type), cell(ev.name), cell(ev.timestamp), code(ev.data));
                  e.appendChild(tr);
                }
              } catch (err) { document.getElementById('summary').textContent = 'simulator unreachable: ' + err; }
            }
            refresh(); setInterval(refresh, 2000);
            </script>
            </body></html>
            """;
}
