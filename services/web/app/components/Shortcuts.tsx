/** @module The `?` sheet. */
import { Modal } from './Modal.tsx';

const KEYS: [string, string][] = [
  ['c', 'New ticket'],
  ['/', 'Search'],
  ['j / k, ↓ / ↑', 'Next / previous card in the column'],
  ['h / l, ← / →', 'Card in the previous / next column'],
  ['Enter', 'Open the focused card'],
  ['m then 1–4 (or o, i, r, d)', 'Move the focused card to Open, In progress, Review, Done'],
  ['Space', 'Pick up the focused card; arrows, then Space to drop'],
  ['Esc', 'Close'],
  ['?', 'This help'],
];

export function Shortcuts({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <h2>Keyboard shortcuts</h2>
      <dl className="keys">
        {KEYS.map(([k, what]) => (
          <div key={k}>
            <dt><kbd>{k}</kbd></dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Modal>
  );
}
