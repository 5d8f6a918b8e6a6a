// The demo shop's "Delivery details" form: a React-controlled form (every
// field's value lives in React state), bundled by `cargo xtask build` with
// esbuild into static/dist/demo-app/delivery.js, no CDN. The summary line
// renders the state, so tests can see that React noticed a form push.
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';

const initial = {
  recipient: '',
  email: '',
  phone: '',
  floor: '',
  date: '',
  instructions: '',
  slot: 'any',
  extras: [],
  leaveAtDoor: false,
  carrier: 'standard',
};

function DeliveryForm() {
  const [form, setForm] = useState(initial);
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const setExtras = (e) =>
    setForm({ ...form, extras: Array.from(e.target.selectedOptions, (o) => o.value) });
  const summary = [
    form.recipient || '—',
    form.email || '—',
    form.phone || '—',
    `floor ${form.floor || '—'}`,
    form.date || 'any day',
    form.slot,
    form.extras.join('+') || 'no extras',
    form.leaveAtDoor ? 'leave at door' : 'hand over',
    form.carrier,
    form.instructions || 'no instructions',
  ].join(' · ');
  return (
    <form className="card delivery-form" onSubmit={(e) => e.preventDefault()} data-testid="delivery-form">
      <fieldset className="step">
        <legend>Recipient</legend>
        <div className="field">
          <label htmlFor="d-recipient">Recipient name</label>
          <input id="d-recipient" name="recipient" type="text" autoComplete="name" value={form.recipient} onChange={set('recipient')} />
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="d-email">Email for updates</label>
            <input id="d-email" name="email" type="email" value={form.email} onChange={set('email')} />
          </div>
          <div className="field">
            <label htmlFor="d-phone">Phone for the driver</label>
            <input id="d-phone" name="phone" type="tel" value={form.phone} onChange={set('phone')} />
          </div>
        </div>
      </fieldset>
      <fieldset className="step">
        <legend>When and how</legend>
        <div className="field-row">
          <div className="field">
            <label htmlFor="d-date">Delivery date</label>
            <input id="d-date" name="date" type="date" value={form.date} onChange={set('date')} />
          </div>
          <div className="field">
            <label htmlFor="d-floor">Floor</label>
            <input id="d-floor" name="floor" type="number" min="0" max="200" value={form.floor} onChange={set('floor')} />
          </div>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="d-slot">Time slot</label>
            <select id="d-slot" name="slot" value={form.slot} onChange={set('slot')}>
              <option value="any">Any time</option>
              <option value="morning">Morning (8–12)</option>
              <option value="afternoon">Afternoon (12–17)</option>
              <option value="evening">Evening (17–21)</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="d-extras">Extras</label>
            <select id="d-extras" name="extras" multiple size="3" value={form.extras} onChange={setExtras}>
              <option value="gift">Gift wrap</option>
              <option value="assembly">Tent pitching lesson</option>
              <option value="recycle">Take back packaging</option>
            </select>
          </div>
        </div>
        <label className="check">
          <input type="checkbox" name="leave-at-door" checked={form.leaveAtDoor} onChange={(e) => setForm({ ...form, leaveAtDoor: e.target.checked })} />
          {' '}Leave the parcel at the door
        </label>
        <fieldset className="choices">
          <legend>Carrier</legend>
          {['standard', 'express', 'bike'].map((c) => (
            <label key={c}>
              <input type="radio" name="carrier" value={c} checked={form.carrier === c} onChange={set('carrier')} />
              {' '}{c === 'bike' ? 'Bike courier' : c[0].toUpperCase() + c.slice(1)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="d-instructions">Instructions for the driver</label>
          <textarea id="d-instructions" name="instructions" rows="2" value={form.instructions} onChange={set('instructions')} />
        </div>
      </fieldset>
      <p className="delivery-summary" data-testid="delivery-summary">
        <strong>Summary:</strong> <span data-testid="delivery-state">{summary}</span>
      </p>
    </form>
  );
}

createRoot(document.getElementById('delivery-app')).render(<DeliveryForm />);
