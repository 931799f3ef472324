// The code editor and the BPF language: the public face of app/editor. Monaco itself stays in
// the chunk CodeEditor imports on demand.
export { CodeEditor } from './CodeEditor.tsx';
export type { CodeEditorProps, EditorCommands, EditorDiagnostic, EditorHandle, EditorRelated } from './types.ts';
