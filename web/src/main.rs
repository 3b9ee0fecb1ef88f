fn main() {
    console_error_panic_hook::set_once();
    web::log::init();
    leptos::mount::mount_to_body(web::app::App);
}
