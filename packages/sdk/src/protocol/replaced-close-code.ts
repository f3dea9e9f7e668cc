/**
 * `CloseCode.REPLACED` on its own, not exported by the package: the one close code a client
 * reads, so that a client bundle does not carry the whole `CloseCode` table (an object's
 * unused members cannot be tree-shaken).
 *
 * @packageDocumentation
 */

/** The close code of a connection whose participant joined again on another one (see `CloseCode.REPLACED`). */
export const REPLACED_CLOSE_CODE = 4001;
