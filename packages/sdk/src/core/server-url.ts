/**
 * The one place that resolves a signaling server URL, for `RoomClient` and `<kurento-room>`.
 *
 * @packageDocumentation
 */

/**
 * Resolves `url` against `base` (a page address; the page's own by default) and maps
 * `http:` to `ws:` and `https:` to `wss:` (WHATWG URL), so that a path or an `http(s):` URL
 * names the WebSocket on that origin. Returns null when `url` is not a URL (against `base`);
 * any other scheme is returned as is, for the caller to refuse.
 */
export function resolveSignalingUrl(
  url: string,
  base: string | undefined = globalThis.location?.href,
): URL | null {
  try {
    const resolved = new URL(url, base);
    resolved.protocol = resolved.protocol.replace(/^http/, 'ws');
    return resolved;
  } catch {
    return null;
  }
}
