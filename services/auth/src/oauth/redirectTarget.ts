/**
 * @module Where the browser may go after login. The check runs on the URL the browser will actually
 * follow: the WHATWG parser strips tabs and newlines and reads `\` as `/`, so `/\t/evil.example`
 * looks like a path as text and resolves to `http://evil.example/`. Only a URL of APP_URL's own
 * origin is accepted; anything else falls back to APP_URL itself (the login was genuine, only the
 * destination is refused, so the person still lands on the board rather than on an error page).
 */

/** The absolute URL to send the browser to after login, or null when `requested` leaves APP_URL's origin. */
export function sameOriginTarget(requested: string | null | undefined, appUrl: string): string | null {
  if (!requested) return null;
  const base = new URL(appUrl);
  const resolved = URL.parse(requested, base.href);
  return resolved && resolved.origin === base.origin ? resolved.toString() : null;
}

/** The post-login location: the requested one when it stays on APP_URL's origin, else APP_URL. */
export const loginTarget = (requested: string | null | undefined, appUrl: string) => sameOriginTarget(requested, appUrl) ?? new URL(appUrl).toString();
