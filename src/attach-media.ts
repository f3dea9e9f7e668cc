/**
 * A Lit element directive that plays a remote participant's stream in a `<video>` through
 * `RoomClient.attachMediaElement`, so that an autoplay refusal is noticed (`playbackBlocked`)
 * and `startPlayback()` can retry it, and detaches it when the element leaves the page.
 *
 * @packageDocumentation
 */
import { nothing, type ElementPart } from 'lit';
import { AsyncDirective, directive, PartType, type PartInfo } from 'lit/async-directive.js';
import type { RoomClient } from './room-client.js';

class AttachMediaDirective extends AsyncDirective {
  #element: HTMLMediaElement | null = null;
  #client: RoomClient | null = null;
  #stream: MediaStream | null = null;
  #detach: (() => void) | null = null;

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('attachMedia() goes on an element.');
  }

  render(_client: RoomClient, _stream: MediaStream | null) {
    return nothing;
  }

  override update(part: ElementPart, [client, stream]: [RoomClient, MediaStream | null]) {
    this.#element = part.element as HTMLMediaElement;
    // Set on change only: every srcObject assignment reloads the video (a visible flicker).
    if (client !== this.#client || stream !== this.#stream || !this.#detach) {
      this.#client = client;
      this.#stream = stream;
      this.#attach();
    }
    return nothing;
  }

  protected override disconnected(): void {
    this.#release();
    if (this.#element) this.#element.srcObject = null;
  }

  protected override reconnected(): void {
    this.#attach();
  }

  #attach(): void {
    this.#release();
    const element = this.#element;
    if (!element || !this.#client || !this.#stream || this.#client.state === 'closed') return;
    this.#detach = this.#client.attachMediaElement(element, this.#stream);
  }

  #release(): void {
    this.#detach?.();
    this.#detach = null;
  }
}

/**
 * `<video ${attachMedia(client, stream)}>`: plays `stream` with `client.attachMediaElement`,
 * again when `client` or `stream` changes; detaches (and clears `srcObject`) on removal.
 */
export const attachMedia = directive(AttachMediaDirective);
