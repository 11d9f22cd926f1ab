"""Header aliases: for each export format, canonical field -> the header names it appears under.

Names are matched after normalisation (BOM, NBSP, trailing colon and case removed, whitespace
collapsed) and exactly, never as substrings (``Reactions`` is part of ``Reactions, Comments and
Shares``). To support another UI language, append its header names to the tuples here: the
first tuple entry is the English name used in messages.
"""

from __future__ import annotations

__all__ = ["ALIASES"]

#: Header names several exports share (the first, English, name is the one messages show).
_IMPRESSIONS = ("Impressions", "Impressões", "Impresiones")
_DATE = ("Date", "Data", "Fecha")
_VIEWS = ("Views", "Visualizações", "Visualizaciones")
_COMMENTS = ("Comments", "Comentários", "Comentarios")
_PROFILE_VISITS = ("Profile visits", "Visitas ao perfil", "Visitas al perfil")
_DATE_VI = ("Date", "Data", "Fecha", "Ngày")
_META_POST_ID = (
    "Post ID",
    "Identificação do post",
    "Identificador de la publicación",
    "ID de la publicación",
)
_DESCRIPTION = ("Description", "Descrição", "Descripción")
_META_PUBLISH_TIME = ("Publish time", "Horário de publicação", "Hora de publicación")
_PERMALINK = ("Permalink", "Link permanente", "Enlace permanente")
_META_POST_TYPE = ("Post type", "Tipo de post", "Tipo de publicación")
_REACH = ("Reach", "Alcance")
_META_SHARES = ("Shares", "Compartilhamentos", "Veces que se compartió")
_LIKES = ("Likes", "Curtidas", "Me gusta")
_X_IMPRESSIONS = ("impressions", "impressões", "impresiones")
_X_ENGAGEMENTS = ("engagements", "engajamentos", "interacciones")
_X_PROFILE_CLICKS = (
    "user profile clicks",
    "cliques no perfil do usuário",
    "clics en el perfil de usuario",
)
_X_URL_CLICKS = ("url clicks", "cliques de URL", "clics en URL")
_X_FOLLOWS = ("follows", "seguimentos", "seguimientos")
_X_MEDIA_VIEWS = (
    "media views",
    "visualizações de mídia",
    "visualizaciones del contenido multimedia",
)
_ENGAGEMENTS = ("Engagements", "Engajamentos", "Interacciones")
_NEW_FOLLOWS = ("New follows", "Novos seguidores", "Nuevos seguidores")
_YT_CONTENT = ("Content", "Conteúdo", "Contenido")
_SUBSCRIBERS = ("Subscribers", "Inscritos", "Suscriptores")
_UNIQUE_VIEWERS = ("Unique viewers", "Espectadores únicos", "Usuarios únicos")
_NEW_VIEWERS = ("New viewers",)
_RETURNING_VIEWERS = ("Returning viewers",)

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "meta_facebook_content": {
        "post_id": _META_POST_ID,
        "page": ("Page name", "Nome da Página", "Nombre de la página"),
        "page_id": ("Page ID", "Identificação da Página", "Identificador de la página"),
        "text": ("Title", "Título"),
        "description": _DESCRIPTION,
        "published_local": _META_PUBLISH_TIME,
        "permalink": _PERMALINK,
        "format": _META_POST_TYPE,
        "funded": ("Funded content status",),
        "impressions": _IMPRESSIONS,
        "views": _VIEWS,
        "views_boosted": ("Views from Boosted posts",),
        "reach": _REACH,
        "reach_boosted": ("Reach from Boosted posts",),
        "likes": ("Reactions", "Reações", "Reacciones"),
        "comments": _COMMENTS,
        "shares": _META_SHARES,
        "clicks": ("Total clicks", "Total de cliques", "Clics totales"),
        "link_clicks": ("Link Clicks", "Cliques no link", "Clics en el enlace"),
        "video_views": ("3-second video views", "Visualizações de vídeo de 3 segundos"),
        "watch_time_s": ("Seconds viewed", "Segundos visualizados"),
        "platform_engagements": (
            "Reactions, Comments and Shares",
            "Reações, comentários e compartilhamentos",
            "Reacciones, comentarios y veces que se compartió",
        ),
    },
    "meta_instagram_content": {
        "post_id": _META_POST_ID,
        "account": (
            "Account username",
            "Nome de usuário da conta",
            "Nombre de usuario de la cuenta",
        ),
        "account_id": ("Account ID", "Identificação da conta", "Identificador de la cuenta"),
        "account_name": ("Account name", "Nome da conta", "Nombre de la cuenta"),
        "text": _DESCRIPTION,
        "published_local": _META_PUBLISH_TIME,
        "permalink": _PERMALINK,
        "format": _META_POST_TYPE,
        "impressions": _IMPRESSIONS,
        "views": _VIEWS,
        "reach": _REACH,
        "likes": _LIKES,
        "comments": _COMMENTS,
        "shares": _META_SHARES,
        "saves": ("Saves", "Salvamentos", "Veces que se guardó"),
        "follows": ("Follows", "Seguimentos", "Seguimientos"),
        "profile_visits": _PROFILE_VISITS,
        "link_clicks": ("Link clicks", "Cliques no link", "Clics en el enlace"),
    },
    "x_tweet_activity": {
        "post_id": ("Tweet id", "id do Tweet", "id del Tweet"),
        "permalink": ("Tweet permalink", "link permanente do Tweet", "enlace permanente del Tweet"),
        "text": ("Tweet text", "texto do Tweet", "texto del Tweet"),
        "published_at": ("time", "horário", "hora"),
        "impressions": _X_IMPRESSIONS,
        "platform_engagements": _X_ENGAGEMENTS,
        "shares": ("retweets", "Retweets"),
        "comments": ("replies", "respostas", "respuestas"),
        "likes": ("likes", "favorites", "favoritos", "me gusta"),
        "profile_visits": _X_PROFILE_CLICKS,
        "link_clicks": _X_URL_CLICKS,
        "follows": _X_FOLLOWS,
        "views": _X_MEDIA_VIEWS,
        "promoted_impressions": (
            "promoted impressions",
            "impressões promovidas",
            "impresiones promocionadas",
        ),
    },
    "x_daily_activity": {
        "date": _DATE,
        "posts_published": ("Tweets published", "Tweets publicados"),
        "impressions": _X_IMPRESSIONS,
        "engagements": _X_ENGAGEMENTS,
        "profile_visits": _X_PROFILE_CLICKS,
        "link_clicks": _X_URL_CLICKS,
        "follows_gained": _X_FOLLOWS,
        "video_views": _X_MEDIA_VIEWS,
    },
    "x_premium_content": {
        "post_id": ("Post id", "ID do post", "ID de la publicación"),
        "date": _DATE,
        "text": ("Post text", "Texto do post", "Texto de la publicación"),
        "permalink": ("Post Link", "Link do post", "Enlace de la publicación"),
        "impressions": _IMPRESSIONS,
        "likes": _LIKES,
        "platform_engagements": _ENGAGEMENTS,
        "saves": ("Bookmarks", "Itens salvos", "Elementos guardados"),
        "follows": _NEW_FOLLOWS,
        "comments": ("Replies", "Respostas", "Respuestas"),
        "shares": ("Reposts", "Reposts", "Reposts"),
        "profile_visits": _PROFILE_VISITS,
        "link_clicks": ("URL Clicks", "Cliques no URL", "Clics en URL"),
    },
    "x_premium_overview": {
        "date": _DATE,
        "impressions": _IMPRESSIONS,
        "engagements": _ENGAGEMENTS,
        "follows_gained": _NEW_FOLLOWS,
        "follows_lost": ("Unfollows", "Deixaram de seguir", "Dejaron de seguir"),
        "profile_visits": _PROFILE_VISITS,
        "posts_published": ("Create Post", "Criar post", "Crear publicación"),
        "video_views": ("Video views", "Visualizações de vídeo", "Reproducciones de video"),
    },
    "tiktok_content": {
        "time": ("Time", "Hora", "Tiempo", "Thời gian"),
        "text": ("Video title", "Título do vídeo", "Título del video", "Tiêu đề video"),
        "link": ("Video link", "Link do vídeo", "Enlace del video", "Liên kết video"),
        "published_local": (
            "Post time",
            "Horário da publicação",
            "Hora de publicación",
            "Thời gian đăng",
        ),
        "likes": ("Total likes", "Total de curtidas", "Total de Me gusta", "Tổng lượt thích"),
        "comments": (
            "Total comments",
            "Total de comentários",
            "Total de comentarios",
            "Tổng số bình luận",
        ),
        "shares": (
            "Total shares",
            "Total de compartilhamentos",
            "Total de veces compartido",
            "Tổng lượt chia sẻ",
        ),
        "views": (
            "Total views",
            "Video views",
            "Total de visualizações",
            "Total de visualizaciones",
            "Tổng lượt xem",
        ),
        "saves": ("Add to Favorites", "Adicionar aos favoritos", "Añadir a Favoritos"),
    },
    "tiktok_overview": {
        "date": _DATE_VI,
        "video_views": (
            "Video Views",
            "Visualizações do vídeo",
            "Visualizaciones de videos",
            "Lượt xem video",
        ),
        "profile_visits": (
            "Profile Views",
            "Visualizações do perfil",
            "Visualizaciones del perfil",
            "Lượt xem hồ sơ",
        ),
        "_likes": ("Likes", "Curtidas", "Me gusta", "Lượt thích"),
        "_comments": ("Comments", "Comentários", "Comentarios", "Bình luận"),
        "_shares": ("Shares", "Compartilhamentos", "Veces compartido", "Lượt chia sẻ"),
    },
    "tiktok_follower_history": {
        "date": _DATE_VI,
        "followers": ("Followers", "Seguidores", "Người theo dõi"),
        "_difference": (
            "Difference in followers from previous day",
            "Diferença de seguidores em relação ao dia anterior",
            "Diferencia de seguidores respecto al día anterior",
        ),
    },
    "tiktok_viewers": {
        "date": _DATE_VI,
        "total_viewers": ("Total Viewers", "Total de espectadores", "Tổng số người xem"),
        "new_viewers": (
            "New Viewers",
            "Novos espectadores",
            "Nuevos espectadores",
            "Người xem mới",
        ),
        "returning_viewers": (
            "Returning Viewers",
            "Espectadores recorrentes",
            "Espectadores recurrentes",
            "Người xem quay lại",
        ),
    },
    "youtube_table": {
        "post_id": _YT_CONTENT,
        "text": ("Video title", "Título do vídeo", "Título del video"),
        "published_local": (
            "Video publish time",
            "Horário de publicação do vídeo",
            "Hora de publicación del video",
        ),
        "duration": ("Duration", "Duração", "Duración"),
        "views": _VIEWS,
        "engaged_views": ("Engaged views",),
        "watch_hours": (
            "Watch time (hours)",
            "Tempo de exibição (horas)",
            "Tiempo de visualización (horas)",
        ),
        "follows": _SUBSCRIBERS,
        "impressions": (
            "Thumbnail impressions",
            "Impressions",
            "Impressões",
            "Impresiones",
            "Impressões de miniaturas",
            "Impresiones de miniaturas",
        ),
        "ctr": (
            "Thumbnail impressions click-through rate (%)",
            "Impressions click-through rate (%)",
            "Taxa de cliques de impressões (%)",
            "Porcentaje de clics de las impresiones (%)",
        ),
        "likes": ("Likes", 'Marcações "Gostei"', "Me gusta"),
        "comments": ("Comments added", "Comentários adicionados", "Comentarios añadidos"),
        "shares": ("Shares", "Compartilhamentos", "Veces compartido"),
        "reach": _UNIQUE_VIEWERS,
        "new_viewers": _NEW_VIEWERS,
        "returning_viewers": _RETURNING_VIEWERS,
        "avg_view": (
            "Average view duration",
            "Duração média da visualização",
            "Duración media de las visualizaciones",
        ),
    },
    "youtube_daily": {
        "date": _DATE,
        "post_id": _YT_CONTENT,
        "views": _VIEWS,
        "follows_gained": ("Subscribers gained",),
        "_subscribers": _SUBSCRIBERS,
        "impressions": ("Thumbnail impressions", "Impressions", "Impressões", "Impresiones"),
        "reach": _UNIQUE_VIEWERS,
        "new_viewers": _NEW_VIEWERS,
        "returning_viewers": _RETURNING_VIEWERS,
    },
    "linkedin_posts": {
        "text": ("Post title", "Update title", "Título da publicação", "Título de la publicación"),
        "link": ("Post link", "Update link", "Link da publicação", "Enlace de la publicación"),
        "distribution": ("Post type", "Update type", "Tipo de publicação", "Tipo de publicación"),
        "account": ("Posted by", "Publicado por"),
        "published_local": ("Created date", "Data de criação", "Fecha de creación"),
        "impressions": _IMPRESSIONS,
        "views": ("Views (excluding off-site video views)", "Video views", "Views"),
        "clicks": ("Clicks", "Cliques", "Clics"),
        "likes": ("Likes", "Reactions", "Reações", "Recomendações", "Reacciones"),
        "comments": _COMMENTS,
        "shares": ("Reposts", "Shares", "Compartilhamentos", "Veces compartido"),
        "follows": ("Follows", "Seguidores", "Seguimientos"),
        "engagement_rate": ("Engagement rate", "Taxa de engajamento", "Tasa de interacción"),
        "format": ("Content Type", "Tipo de conteúdo", "Tipo de contenido"),
    },
    "linkedin_metrics": {
        "date": _DATE,
        "impressions": ("Impressions (total)", "Impressões (total)", "Impresiones (total)"),
        "reach": ("Unique impressions (organic)", "Impressões únicas (orgânicas)"),
        "link_clicks": ("Clicks (total)", "Cliques (total)", "Clics (total)"),
        "_reactions": ("Reactions (total)", "Reações (total)", "Reacciones (total)"),
        "_comments": ("Comments (total)", "Comentários (total)", "Comentarios (total)"),
        "_reposts": ("Reposts (total)", "Shares (total)", "Compartilhamentos (total)"),
    },
}
