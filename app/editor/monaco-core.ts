// Monaco's core, imported on its own before the rest of the editor chunk (CodeEditor.tsx): the
// evaluation of a 3 MB chunk was one task of 130–260 ms on every load; in two imports with a
// task between them, each is shorter. Importing it registers nothing and creates nothing.

import 'monaco-editor/editor';
