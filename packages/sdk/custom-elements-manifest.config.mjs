// The custom-elements manifest (https://github.com/webcomponents/custom-elements-manifest)
// of `<kurento-room>`, written to dist/custom-elements.json by every build (rollup.config.mjs
// runs it after bundling; `npx cem analyze` runs it alone) and shipped through package.json's
// `customElements`. It is read from the element modules' header docs (`@slot`, `@event`,
// `@csspart`, `@cssproperty`) and Lit's `@property` decorators; test/server/manifest.test.ts
// checks it against the templates and styles.

/** The element modules: the element and the pieces of its template, whichever exist. */
export const ELEMENT_MODULES = [
  'src/element/kurento-room.ts',
  'src/element/room-tile.ts',
  'src/element/control-bar.ts',
  'src/element/device-menu.ts',
  'src/element/prejoin-view.ts',
];

/** True for a member that is not public API: `#private`, TypeScript `private`. */
const isPrivate = (member) => member.privacy === 'private' || member.name.startsWith('#');

/**
 * Drops private members from every declaration (`@internal` and `@ignore` members are
 * already left out by the analyzer itself).
 */
function publicMembersOnly() {
  return {
    name: 'kurento-room-public-members-only',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules ?? []) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.members) {
            declaration.members = declaration.members.filter((member) => !isPrivate(member));
          }
        }
      }
    },
  };
}

export default {
  globs: ELEMENT_MODULES,
  outdir: 'dist',
  litelement: true,
  packagejson: false,
  quiet: true,
  plugins: [publicMembersOnly()],
};
