/**
 * Runs a command line with a progress notification, its output in the "TRAM" output channel, and a Cancel
 * button that stops the process. Resolves with the exit status (null when cancelled or not started).
 */
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';

let channel: vscode.OutputChannel | undefined;

export function outputChannel(): vscode.OutputChannel {
  channel ??= vscode.window.createOutputChannel('TRAM');
  return channel;
}

export interface RunRequest {
  title: string;
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
}

export function runWithProgress(req: RunRequest): Thenable<number | null> {
  const out = outputChannel();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: req.title, cancellable: true },
    (progress, token) =>
      new Promise<number | null>((resolve) => {
        out.appendLine(`$ ${[req.command, ...req.args].join(' ')}   (in ${req.cwd})`);
        const child = spawn(req.command, req.args, {
          cwd: req.cwd,
          env: { ...process.env, ...req.env },
          shell: process.platform === 'win32',
          windowsHide: true,
        });
        const onData = (b: Buffer) => {
          const text = b.toString();
          out.append(text);
          const last = text.trim().split('\n').pop();
          if (last) progress.report({ message: last.slice(0, 80) });
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        const cancel = token.onCancellationRequested(() => child.kill());
        child.on('error', (err) => {
          out.appendLine(`could not start ${req.command}: ${err.message}`);
          cancel.dispose();
          resolve(null);
        });
        child.on('close', (code) => {
          out.appendLine(`exit status ${code ?? 'killed'}`);
          cancel.dispose();
          resolve(token.isCancellationRequested ? null : code);
        });
      }),
  );
}
