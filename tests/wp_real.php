<?php
/*
 * Drives a real WordPress (Debian's package, /usr/share/wordpress) for
 * tests/test_wp_db_real.py: loads WordPress on the database named by the
 * environment (WXRB_DB_NAME, WXRB_DB_HOST, WXRB_DB_USER), without the
 * Debian per-host configuration, and runs one action:
 *
 *   install   wp_install() a site, then make posts and comments with
 *             WordPress's own functions (JSON of their ids on stdout)
 *   read      what get_comments() and get_post() show (JSON)
 *   export    core's export_wp(), the WXR Tools > Export makes
 *   links     add pages, an attachment and categories (once), set the
 *             permalink structure WXRB_STRUCTURE, print get_permalink()
 *             of every post (JSON, by id)
 */
define('ABSPATH', getenv('WXRB_WP_ROOT') ?: '/usr/share/wordpress/');
define('DB_NAME', getenv('WXRB_DB_NAME'));
define('DB_USER', getenv('WXRB_DB_USER') ?: 'root');
define('DB_PASSWORD', getenv('WXRB_DB_PASSWORD') ?: '');
define('DB_HOST', getenv('WXRB_DB_HOST') ?: '127.0.0.1');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_CONTENT_DIR', getenv('WXRB_CONTENT_DIR') ?: sys_get_temp_dir());
define('WP_HOME', 'http://wp.example.test');
define('WP_SITEURL', 'http://wp.example.test');
define('DISABLE_WP_CRON', true);
$table_prefix = 'wp_';
$_SERVER['HTTP_HOST'] = 'wp.example.test';
$_SERVER['REQUEST_URI'] = '/';
define('WXRB_ACTION', $argv[1]);
if (WXRB_ACTION === 'install') {
    define('WP_INSTALLING', true);
}
require_once ABSPATH . 'wp-settings.php';

function made_comment($post, $author, $content, $parent = 0, $extra = array()) {
    return wp_insert_comment(array_merge(array(
        'comment_post_ID' => $post, 'comment_author' => $author,
        'comment_author_email' => strtolower($author) . '@example.net',
        'comment_content' => $content, 'comment_parent' => $parent,
        'comment_approved' => 1, 'comment_date' => '2024-02-03 04:05:06',
    ), $extra));
}

if (WXRB_ACTION === 'install') {
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    $installed = wp_install('Real site', 'keeper', 'keeper@example.org', true, '', 'not-a-secret');
    $user = $installed['user_id'];
    update_option('permalink_structure', '/%year%/%monthnum%/%postname%/');
    $posts = array();
    foreach (array('Morning walk', 'Evening tide') as $title) {
        $posts[] = wp_insert_post(array(
            'post_title' => $title, 'post_content' => "About $title.", 'post_status' => 'publish',
            'post_author' => $user, 'post_date' => '2024-02-01 09:00:00',
        ));
    }
    $first = made_comment($posts[0], 'Ann', 'A first word.');
    $reply = made_comment($posts[0], 'keeper', 'The author answers.', $first,
                          array('user_id' => $user, 'comment_author_email' => 'keeper@example.org'));
    made_comment($posts[0], 'Bo', 'And a reply to the author.', $reply);
    made_comment($posts[1], 'Cy', 'Held for moderation.', 0, array('comment_approved' => 0));
    add_comment_meta($first, 'mood', 'cheerful');
    echo json_encode(array('user' => $user, 'posts' => $posts));
} elseif (WXRB_ACTION === 'read') {
    $out = array('comments' => array(), 'posts' => array());
    foreach (get_comments(array('status' => 'any', 'orderby' => 'comment_ID', 'order' => 'ASC')) as $c) {
        $out['comments'][] = array(
            'id' => (int) $c->comment_ID, 'post' => (int) $c->comment_post_ID,
            'parent' => (int) $c->comment_parent, 'user' => (int) $c->user_id,
            'approved' => $c->comment_approved, 'author' => $c->comment_author,
            'content' => $c->comment_content,
            'dsq_post_id' => get_comment_meta($c->comment_ID, 'dsq_post_id', true),
        );
    }
    foreach (get_posts(array('post_type' => 'any', 'numberposts' => -1)) as $p) {
        $out['posts'][] = array('id' => $p->ID, 'comment_count' => (int) $p->comment_count,
                                'link' => get_permalink($p));
    }
    echo json_encode($out);
} elseif (WXRB_ACTION === 'links') {
    if (!get_page_by_path('guides/tides')) {
        $guides = wp_insert_post(array('post_title' => 'Guides', 'post_name' => 'guides',
                                       'post_type' => 'page', 'post_status' => 'publish'));
        wp_insert_post(array('post_title' => 'Tides', 'post_name' => 'tides', 'post_type' => 'page',
                             'post_status' => 'publish', 'post_parent' => $guides));
        $sea = wp_insert_term('Sea', 'category');
        $shore = wp_insert_term('Shore', 'category', array('parent' => $sea['term_id']));
        wp_set_post_categories(4, array($shore['term_id']));
        wp_insert_attachment(array('post_title' => 'Photo', 'post_name' => 'photo',
                                   'post_mime_type' => 'image/jpeg', 'post_status' => 'inherit'),
                             false, 4);
        wp_insert_post(array('post_title' => 'Private', 'post_status' => 'private'));
        wp_insert_post(array('post_title' => 'Later', 'post_status' => 'future',
                             'post_date' => '2099-01-01 00:00:00'));
    }
    update_option('permalink_structure', getenv('WXRB_STRUCTURE'));
    $GLOBALS['wp_rewrite']->init();
    wp_set_current_user(1);  // an administrator, as for an export
    $links = array();
    foreach (get_posts(array('post_type' => 'any', 'post_status' => 'any', 'numberposts' => -1)) as $p) {
        $links[$p->ID] = get_permalink($p);
    }
    echo json_encode($links);
} elseif (WXRB_ACTION === 'export') {
    require_once ABSPATH . 'wp-admin/includes/export.php';
    wp_set_current_user(1);
    export_wp(array('content' => 'all'));
}
