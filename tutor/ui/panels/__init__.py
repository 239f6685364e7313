"""The window's panels: parameters, expression values, training, the function view, quiz."""
