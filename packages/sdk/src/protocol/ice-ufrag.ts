/**
 * Which ICE session a trickled candidate belongs to. Every new offer or answer of a
 * rebuilt peer connection (or endpoint) has its own ICE username fragment (RFC 8839
 * section 5.4, `a=ice-ufrag`); browsers and Kurento write it into each candidate line as
 * the `ufrag` extension attribute (RFC 8839 section 5.1). A candidate that names another
 * session's fragment is late: it belongs to a connection already replaced, and applying it
 * to the successor would fail (webrtc-pc section 4.4.1.7) or mislead it.
 *
 * @packageDocumentation
 */

/**
 * False when `candidate` (an `a=candidate` line, with or without `a=`) names a `ufrag` that
 * is not `sdp`'s `a=ice-ufrag`: it belongs to an older ICE session. True when they match,
 * or when either says nothing (nothing to tell them apart by).
 */
export function isCandidateOf(candidate: string, sdp: string): boolean {
  const ufrag = / ufrag (\S+)/.exec(candidate)?.[1];
  const current = /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
  return !ufrag || !current || ufrag === current;
}
