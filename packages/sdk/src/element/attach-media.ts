/**
 * A Lit element directive that plays a remote participant's stream in a `<video>` through
 * `RoomClient.attachMediaElement`, so that an autoplay refusal is noticed (`playbackBlocked`)
 * and `startPlayback()` can retry it; {@link detachMedia} lets it go when the stream is
 * removed (the tile goes with it). A plain directive, not an `AsyncDirective`: the stream's
 * removal is the client's event, and the disconnection machinery would cost 0.4 KB min+gz.
 *
 * @packageDocumentation
 */
import { nothing, type ElementPart } from 'lit';
import { Directive, directive, PartType, type PartInfo } from 'lit/directive.js';
import type { RoomClient } from '../core/room-client.js';

/** Each attached stream's element and the function that detaches it from the client. */
const attached = new Map<MediaStream, { element: HTMLMediaElement; detach: () => void }>();

class AttachMediaDirective extends Directive {
  #stream: MediaStream | null = null;

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('attachMedia() goes on an element.');
  }

  render(_client: RoomClient, _stream: MediaStream | null) {
    return nothing;
  }

  override update(part: ElementPart, [client, stream]: [RoomClient, MediaStream | null]) {
    // Set on change only: every srcObject assignment reloads the video (a visible flicker).
    if (stream === this.#stream || client.state === 'closed') return nothing;
    if (this.#stream) detachMedia(this.#stream);
    this.#stream = stream;
    if (stream) {
      const element = part.element as HTMLMediaElement;
      attached.set(stream, { element, detach: client.attachMediaElement(element, stream) });
    }
    return nothing;
  }
}

/**
 * `<video ${attachMedia(client, stream)}>`: plays `stream` with `client.attachMediaElement`,
 * again when `stream` changes (a new stream after a reconnection).
 */
export const attachMedia = directive(AttachMediaDirective);

/** Detaches `stream` from its element (clears `srcObject`) and from the client; call it when the stream is removed. */
export function detachMedia(stream: MediaStream): void {
  const entry = attached.get(stream);
  if (!entry) return;
  attached.delete(stream);
  entry.detach();
  if (entry.element.srcObject === stream) entry.element.srcObject = null;
}
