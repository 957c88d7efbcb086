/**
 * Widgets: outputs that talk to the kernel (docs/widgets.md). Controls and output areas (./controls.ts), the
 * optimizer stepper (./stepper.ts), the registry that handles host messages (./registry.ts) and the message
 * contract (./protocol.ts).
 */
export { slider, select, toggle, button, output, box, Slider, Select, Toggle, Button, Output, Box } from './controls';
export type { SliderOptions, SelectOptions } from './controls';
export { stepper, Stepper, type StepperOptions } from './stepper';
export { Widget, getWidget, handleWidgetMessage, flushWidgets, setWidgetHost, widgetCount, type WidgetHost } from './registry';
export { WIDGET_MIME, DETACHED_TEXT, checkWidgetMessage } from './protocol';
export type { WidgetView, WidgetHostMessage, WidgetKernelMessage, WidgetKind, WidgetAction, WidgetErrorCode } from './protocol';
