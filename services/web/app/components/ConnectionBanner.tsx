/** @module Says so when the live connection is down or catching up; silent while all is well. */
import { useConnection } from '../realtime.ts';

export function ConnectionBanner() {
  const { status, everConnected } = useConnection();
  const text =
    status === 'reconnecting' ? 'Reconnecting…'
    : status === 'resyncing' ? 'Catching up…'
    : status === 'connecting' && everConnected ? 'Connecting…'
    : null;
  return (
    <span role="status" aria-live="polite" className={text ? 'banner' : 'banner hidden'} data-status={status}>
      {text}
    </span>
  );
}
