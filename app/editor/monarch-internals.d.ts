// Types for the two Monaco internals tokens.test.ts runs the Monarch grammar with (Monaco's own
// compiler and tokenizer, in Node), so the test compares against the real thing.

declare module 'monaco-editor/editor/standalone/common/monarch/monarchCompile.js' {
  import type { languages } from 'monaco-editor/editor';
  export interface CompiledLexer {
    readonly languageId: string;
  }
  export function compile(languageId: string, json: languages.IMonarchLanguage): CompiledLexer;
}

declare module 'monaco-editor/editor/standalone/common/monarch/monarchLexer.js' {
  import type { CompiledLexer } from 'monaco-editor/editor/standalone/common/monarch/monarchCompile.js';
  export interface MonarchState {
    readonly __monarchState?: never;
  }
  export interface MonarchTokenizationResult {
    readonly tokens: readonly { readonly offset: number; readonly type: string; readonly language: string }[];
    readonly endState: MonarchState;
  }
  export class MonarchTokenizer {
    constructor(languageService: unknown, themeService: unknown, languageId: string, lexer: CompiledLexer, configurationService: unknown);
    getInitialState(): MonarchState;
    tokenize(line: string, hasEOL: boolean, state: MonarchState): MonarchTokenizationResult;
    dispose(): void;
  }
}

// Monaco's layers, imported for their evaluation only (monaco-layers.ts): nothing is used from them.
declare module 'monaco-editor/base/common/lifecycle.js' {}
declare module 'monaco-editor/base/browser/dom.js' {}
declare module 'monaco-editor/platform/instantiation/common/instantiation.js' {}
declare module 'monaco-editor/editor/common/model/textModel.js' {}
declare module 'monaco-editor/editor/browser/editorExtensions.js' {}
