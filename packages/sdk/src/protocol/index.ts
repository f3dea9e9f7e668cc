/**
 * `kurento-room/protocol`: what the SDK and the reference server share. The wire
 * contract ({@link parseClientMessage}, {@link parseServerMessage}, the message types; see
 * `messages.ts`) and the {@link SerialQueue} both run their work on. The server imports
 * the SDK through this entry only.
 *
 * @packageDocumentation
 */
export * from './messages.js';
export { SerialQueue } from './serial-queue.js';
export { isCandidateOf } from './ice-ufrag.js';
