/**
 * Entry point: the notebook controller, the status bar item and the commands. Everything that runs notebook
 * code lives in the kernel process (`kernel/`); this side only starts it and shows what it sends.
 */
import * as vscode from 'vscode';
import { TramController } from './controller';
import { kernelStarter } from './kernelFactory';
import { KernelSession } from './kernelSession';
import { KernelStatusBar } from './statusBar';
import { CellIntellisense } from './intellisense';
import { BuiltinTsQuiet } from './builtinTs';
import { VariablesView } from './variablesView';
import { WidgetBridge } from './widgetBridge';
import { chooseBackend } from './commands/chooseBackend';
import { installKernelspec } from './commands/installKernelspec';
import { installNativeBackend } from './commands/installNativeBackend';
import { openSamples } from './commands/openSamples';
import { restartKernel } from './commands/restartKernel';
import { debugCellCommand } from './debug/debugCell';

export function activate(context: vscode.ExtensionContext): void {
  const controller = new TramController((notebook) => new KernelSession(kernelStarter(context.extensionPath, notebook)));
  const statusBar = new KernelStatusBar(controller);
  const typesLog = vscode.window.createOutputChannel('TRAM IntelliSense');
  const variablesLog = vscode.window.createOutputChannel('TRAM Variables');
  const debugLog = vscode.window.createOutputChannel('TRAM Debug');
  context.subscriptions.push(
    controller,
    typesLog,
    new CellIntellisense(context.extensionPath, controller, typesLog),
    new BuiltinTsQuiet(controller, typesLog),
    variablesLog,
    new VariablesView(controller, variablesLog),
    new WidgetBridge(controller),
    statusBar,
    vscode.workspace.onDidCloseNotebookDocument((nb) => void controller.close(nb)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => statusBar.update()),
    vscode.commands.registerCommand('tram.restartKernel', restartKernel(controller)),
    vscode.commands.registerCommand('tram.chooseBackend', chooseBackend(controller)),
    vscode.commands.registerCommand('tram.openSamples', openSamples(context.extensionPath)),
    vscode.commands.registerCommand('tram.installNativeBackend', installNativeBackend(controller)),
    vscode.commands.registerCommand('tram.installKernelspec', installKernelspec(context.extensionPath)),
    debugLog,
    vscode.commands.registerCommand('tram.debugCell', debugCellCommand({ controller, log: debugLog })),
  );
}

export function deactivate(): void {
  // Kernel processes are stopped by the controller's dispose (in context.subscriptions).
}
