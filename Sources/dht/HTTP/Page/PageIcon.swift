/// The page's icon (the favicon, and the mark in its header): a ring with three nodes.
enum PageIcon {
    /// The text of `icon.svg`, served as `/page/icon.svg`.
    static let text = #"""
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
    <circle cx="16" cy="16" r="11" fill="none" stroke="#0072b2" stroke-width="3"/>
    <path d="M16 5 Q16 16 25.5 21.5" fill="none" stroke="#0072b2" stroke-width="1.5" stroke-dasharray="2 1.5"/>
    <circle cx="16" cy="5" r="4" fill="#e69f00" stroke="#fff" stroke-width="1.5"/>
    <circle cx="25.5" cy="21.5" r="3.2" fill="#009e73" stroke="#fff" stroke-width="1.5"/>
    <circle cx="6.5" cy="21.5" r="3.2" fill="#cc79a7" stroke="#fff" stroke-width="1.5"/>
    </svg>
    """#
}
