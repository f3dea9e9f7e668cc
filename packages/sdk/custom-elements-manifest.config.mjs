// The custom-elements manifest (https://github.com/webcomponents/custom-elements-manifest)
// of `<kurento-room>`, written to dist/custom-elements.json by every build (rollup.config.mjs
// runs it after bundling; `npx cem analyze` runs it alone) and shipped through package.json's
// `customElements`. It is read from the element modules' header docs (`@slot`, `@event`,
// `@csspart`, `@cssproperty`) and Lit's `@property` decorators; test/server/manifest.test.ts
// checks it against the templates and styles, test/package/sdk-manifest.test.ts checks the
// events' types.
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';

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

/**
 * The `detail` type of each element event, as written in the `RoomEventDetails` interface
 * (the map the element dispatches with, in one of `src/element/`'s modules): event name ->
 * type text, e.g. `room-error` -> `{ error: RoomError }`. Empty if the interface is not found.
 */
export function eventDetailTypes(dir = 'src/element') {
  const types = new Map();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(`${dir}/${file}`, 'utf8');
    if (!text.includes('interface RoomEventDetails')) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (!ts.isInterfaceDeclaration(statement) || statement.name.text !== 'RoomEventDetails') {
        continue;
      }
      for (const member of statement.members) {
        if (!ts.isPropertySignature(member) || !member.type) continue;
        const name = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText();
        types.set(name, member.type.getText(source).replace(/\s+/g, ' '));
      }
    }
  }
  return types;
}

/**
 * Types each event of the element as the `CustomEvent` it is (`CustomEvent<{ error: RoomError }>`),
 * from `RoomEventDetails`, so that tools reading the manifest (IDEs, framework wrappers,
 * Storybook) know each `detail`; the header doc's `@event name - text` gives the
 * description. An event with a type in its doc (`@event {Type} name`) keeps that type.
 */
function typedEvents() {
  return {
    name: 'kurento-room-typed-events',
    packageLinkPhase({ customElementsManifest }) {
      const details = eventDetailTypes();
      for (const module of customElementsManifest.modules ?? []) {
        for (const declaration of module.declarations ?? []) {
          for (const event of declaration.events ?? []) {
            const detail = details.get(event.name);
            if (detail && (!event.type || event.type.text === 'CustomEvent')) {
              event.type = { text: `CustomEvent<${detail}>` };
            }
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
  plugins: [publicMembersOnly(), typedEvents()],
};
