/**
 * One endpoint as the signaling layer sees it: whose media it carries, how far its
 * negotiation went, and the server candidates it holds back until the answer is out.
 *
 * @packageDocumentation
 */

import { isCandidateOf, type IceCandidateInit, type ServerMessage } from 'kurento-room/protocol';
import type { Logger } from '../logger.js';
import type { WebRtcEndpoint } from '../media/media-backend.js';
import { DEFAULT_MEDIA_TIMEOUT_MS, releaseWithin } from './media-deadline.js';

/**
 * Where a slot stands: `idle` (created, no offer yet: a publisher endpoint created
 * early for a subscriber), `negotiating` (offer being processed), `answered`
 * (`receiveVideoAnswer` sent), `failed` (the offer was refused).
 */
export type SlotState = 'idle' | 'negotiating' | 'answered' | 'failed';

/**
 * Wraps an endpoint for one participant. The server's ICE candidates go out as
 * `iceCandidate {name: mediaName}` only after the `receiveVideoAnswer`: the backend
 * already defers them, and the slot enforces it whatever the backend does.
 */
export class EndpointSlot<E extends WebRtcEndpoint> {
  state: SlotState = 'idle';
  /** The SDP offer being or last negotiated ('' before the first). */
  offer = '';
  private held: IceCandidateInit[] = [];
  private readonly unsubscribe: () => void;

  /**
   * @param endpoint - the backend endpoint.
   * @param mediaName - whose media it carries: the `name` of its `receiveVideoAnswer`
   *   and `iceCandidate` messages.
   * @param send - delivers a message to the participant the endpoint serves.
   * @param releaseTimeoutMs - how long {@link EndpointSlot.release} waits for the
   *   backend, in ms.
   * @param logger - where a release that missed its deadline is logged.
   */
  constructor(
    readonly endpoint: E,
    readonly mediaName: string,
    private send: (message: ServerMessage) => void,
    private readonly releaseTimeoutMs = DEFAULT_MEDIA_TIMEOUT_MS,
    private readonly logger?: Logger,
  ) {
    this.unsubscribe = endpoint.onIceCandidate((candidate) => {
      if (this.state === 'answered') this.sendCandidate(candidate);
      else this.held.push(candidate);
    });
  }

  /** True once the endpoint was released. */
  get released(): boolean {
    return this.endpoint.released;
  }

  /**
   * False for a browser candidate of another ICE session than the offer's: one trickled by
   * the peer connection this endpoint replaced, late (see `isCandidateOf`). It is dropped,
   * not applied.
   */
  accepts(candidate: IceCandidateInit): boolean {
    return isCandidateOf(candidate.candidate, this.offer);
  }

  /** Sends the answer, then the candidates held so far. */
  answer(sdpAnswer: string): void {
    this.send({ id: 'receiveVideoAnswer', name: this.mediaName, sdpAnswer });
    this.state = 'answered';
    for (const candidate of this.held.splice(0)) this.sendCandidate(candidate);
  }

  /**
   * Sends the slot's later messages somewhere else: to the connection that took its
   * participant over, or nowhere (`undefined`) when they belong to a peer connection
   * of the old one.
   */
  redirect(send: ((message: ServerMessage) => void) | undefined): void {
    this.send = send ?? (() => undefined);
    if (!send) this.held = [];
  }

  /**
   * Stops relaying candidates and releases the endpoint. Resolves once released, or
   * once the release timeout has passed (a hung backend is logged, not waited for).
   * Never rejects.
   */
  release(): Promise<void> {
    this.unsubscribe();
    this.held = [];
    return releaseWithin(this.endpoint, this.releaseTimeoutMs, this.logger);
  }

  private sendCandidate(candidate: IceCandidateInit): void {
    this.send({ id: 'iceCandidate', name: this.mediaName, candidate });
  }
}
