public enum JiliangAPIPlaceholder {}
