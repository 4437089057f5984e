/**
 * Jest transform for the ES-module-only packages the tests load from node_modules (NestJS 12);
 * the CommonJS files it is given pass through unchanged.
 *
 * The app is CommonJS and loads them with require(), which Node does natively since 20.19.
 * Jest runs test files through its own module loader, which loads an ES module from require()
 * only on Node 24.9 or later and with --experimental-vm-modules; otherwise (every jest run but
 * the fault test's on Node 24) the package must be compiled to CommonJS first. This does that
 * with TypeScript's compiler: imports and exports become require() and exports, `import()`
 * becomes a require() in a promise, and two things CommonJS spells differently are rewritten
 * first:
 * - `import.meta` becomes the module file's own URL and paths (known when it is compiled);
 * - a module's own `require`, `module`, `exports`, `__filename` or `__dirname` (an ES module
 *   makes its `require` with createRequire) is renamed, as it would otherwise collide with the
 *   variables CommonJS gives every module.
 * The compiled processes that the e2e and fault tests start load the real ES modules.
 */
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const ts = require('typescript');

const SELF = readFileSync(join(__dirname, 'esm-to-commonjs.transform.js'), 'utf8');
const COMMONJS_NAMES = new Set(['require', 'module', 'exports', '__filename', '__dirname']);

/** Whether Node loads this .js file as an ES module: its package.json says `"type": "module"`. */
function isEsModule(path) {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type === 'module';
  }
  return false;
}

/** Where an identifier is a property's name, not a variable. */
function isPropertyName(node) {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.name === node;
  if (ts.isBindingElement(parent)) return parent.propertyName === node;
  return (
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent)) &&
    parent.name === node
  );
}

const toCommonJs = (path) => (context) => {
  const f = context.factory;
  const importMeta = () =>
    f.createParenthesizedExpression(
      f.createObjectLiteralExpression([
        f.createPropertyAssignment('url', f.createStringLiteral(pathToFileURL(path).href)),
        f.createPropertyAssignment('filename', f.createStringLiteral(path)),
        f.createPropertyAssignment('dirname', f.createStringLiteral(dirname(path))),
      ]),
    );
  const renamed = (name) => f.createIdentifier(`__esm_${name}`);
  const visit = (node) => {
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      return importMeta();
    }
    // `{ exports }`, as a value or a destructuring: keep the property, rename the variable.
    if (ts.isShorthandPropertyAssignment(node) && COMMONJS_NAMES.has(node.name.text)) {
      return f.createPropertyAssignment(node.name.text, renamed(node.name.text));
    }
    if (
      ts.isBindingElement(node) &&
      !node.propertyName &&
      !node.dotDotDotToken &&
      ts.isIdentifier(node.name) &&
      COMMONJS_NAMES.has(node.name.text)
    ) {
      const initializer = node.initializer && ts.visitNode(node.initializer, visit);
      return f.updateBindingElement(
        node,
        undefined,
        node.name.text,
        renamed(node.name.text),
        initializer,
      );
    }
    if (ts.isIdentifier(node) && COMMONJS_NAMES.has(node.text) && !isPropertyName(node)) {
      const parent = node.parent;
      if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) {
        throw new Error(
          `${path}: cannot rename '${node.text}' here (${ts.SyntaxKind[parent.kind]})`,
        );
      }
      return renamed(node.text);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (sourceFile) => ts.visitNode(sourceFile, visit);
};

module.exports = {
  process(source, path, options) {
    // Jest loads the file as an ES module itself (Node 24.9+, experimental VM modules).
    if (options.supportsStaticESM || !isEsModule(path)) return { code: source };
    const { outputText, sourceMapText } = ts.transpileModule(source, {
      fileName: path,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        allowJs: true,
        esModuleInterop: true,
        sourceMap: true,
      },
      transformers: { before: [toCommonJs(path)] },
    });
    return { code: outputText, map: sourceMapText };
  },
  getCacheKey(source, path, options) {
    return createHash('sha256')
      .update(SELF)
      .update(ts.version)
      .update(path)
      .update(options.configString)
      .update(String(options.supportsStaticESM))
      .update(source)
      .digest('hex');
  },
};
