"""Header aliases: for each export format, canonical field -> the header names it appears under.

Names are matched after normalisation (BOM, NBSP, trailing colon and case removed, whitespace
collapsed) and exactly, never as substrings (``Reactions`` is part of ``Reactions, Comments and
Shares``). To support another UI language, append its header names to the tuples here: the
first tuple entry is the English name used in messages.
"""

from __future__ import annotations

__all__ = ["ALIASES"]

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "meta_facebook_content": {
        "post_id": (
            "Post ID",
            "Identificação do post",
            "Identificador de la publicación",
            "ID de la publicación",
        ),
        "page": ("Page name", "Nome da Página", "Nombre de la página"),
        "page_id": ("Page ID", "Identificação da Página", "Identificador de la página"),
        "text": ("Title", "Título"),
        "description": ("Description", "Descrição", "Descripción"),
        "published_local": ("Publish time", "Horário de publicação", "Hora de publicación"),
        "permalink": ("Permalink", "Link permanente", "Enlace permanente"),
        "format": ("Post type", "Tipo de post", "Tipo de publicación"),
        "funded": ("Funded content status",),
        "impressions": ("Impressions", "Impressões", "Impresiones"),
        "views": ("Views", "Visualizações", "Visualizaciones"),
        "views_boosted": ("Views from Boosted posts",),
        "reach": ("Reach", "Alcance"),
        "reach_boosted": ("Reach from Boosted posts",),
        "likes": ("Reactions", "Reações", "Reacciones"),
        "comments": ("Comments", "Comentários", "Comentarios"),
        "shares": ("Shares", "Compartilhamentos", "Veces que se compartió"),
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
        "post_id": (
            "Post ID",
            "Identificação do post",
            "Identificador de la publicación",
            "ID de la publicación",
        ),
        "account": (
            "Account username",
            "Nome de usuário da conta",
            "Nombre de usuario de la cuenta",
        ),
        "account_id": ("Account ID", "Identificação da conta", "Identificador de la cuenta"),
        "account_name": ("Account name", "Nome da conta", "Nombre de la cuenta"),
        "text": ("Description", "Descrição", "Descripción"),
        "published_local": ("Publish time", "Horário de publicação", "Hora de publicación"),
        "permalink": ("Permalink", "Link permanente", "Enlace permanente"),
        "format": ("Post type", "Tipo de post", "Tipo de publicación"),
        "impressions": ("Impressions", "Impressões", "Impresiones"),
        "views": ("Views", "Visualizações", "Visualizaciones"),
        "reach": ("Reach", "Alcance"),
        "likes": ("Likes", "Curtidas", "Me gusta"),
        "comments": ("Comments", "Comentários", "Comentarios"),
        "shares": ("Shares", "Compartilhamentos", "Veces que se compartió"),
        "saves": ("Saves", "Salvamentos", "Veces que se guardó"),
        "follows": ("Follows", "Seguimentos", "Seguimientos"),
        "profile_visits": ("Profile visits", "Visitas ao perfil", "Visitas al perfil"),
        "link_clicks": ("Link clicks", "Cliques no link", "Clics en el enlace"),
    },
    "x_tweet_activity": {
        "post_id": ("Tweet id", "id do Tweet", "id del Tweet"),
        "permalink": ("Tweet permalink", "link permanente do Tweet", "enlace permanente del Tweet"),
        "text": ("Tweet text", "texto do Tweet", "texto del Tweet"),
        "published_at": ("time", "horário", "hora"),
        "impressions": ("impressions", "impressões", "impresiones"),
        "platform_engagements": ("engagements", "engajamentos", "interacciones"),
        "shares": ("retweets", "Retweets"),
        "comments": ("replies", "respostas", "respuestas"),
        "likes": ("likes", "favorites", "favoritos", "me gusta"),
        "profile_visits": (
            "user profile clicks",
            "cliques no perfil do usuário",
            "clics en el perfil de usuario",
        ),
        "link_clicks": ("url clicks", "cliques de URL", "clics en URL"),
        "follows": ("follows", "seguimentos", "seguimientos"),
        "views": (
            "media views",
            "visualizações de mídia",
            "visualizaciones del contenido multimedia",
        ),
        "promoted_impressions": (
            "promoted impressions",
            "impressões promovidas",
            "impresiones promocionadas",
        ),
    },
    "x_daily_activity": {
        "date": ("Date", "Data", "Fecha"),
        "posts_published": ("Tweets published", "Tweets publicados"),
        "impressions": ("impressions", "impressões", "impresiones"),
        "engagements": ("engagements", "engajamentos", "interacciones"),
        "profile_visits": (
            "user profile clicks",
            "cliques no perfil do usuário",
            "clics en el perfil de usuario",
        ),
        "link_clicks": ("url clicks", "cliques de URL", "clics en URL"),
        "follows_gained": ("follows", "seguimentos", "seguimientos"),
        "video_views": (
            "media views",
            "visualizações de mídia",
            "visualizaciones del contenido multimedia",
        ),
    },
    "x_premium_content": {
        "post_id": ("Post id", "ID do post", "ID de la publicación"),
        "date": ("Date", "Data", "Fecha"),
        "text": ("Post text", "Texto do post", "Texto de la publicación"),
        "permalink": ("Post Link", "Link do post", "Enlace de la publicación"),
        "impressions": ("Impressions", "Impressões", "Impresiones"),
        "likes": ("Likes", "Curtidas", "Me gusta"),
        "platform_engagements": ("Engagements", "Engajamentos", "Interacciones"),
        "saves": ("Bookmarks", "Itens salvos", "Elementos guardados"),
        "follows": ("New follows", "Novos seguidores", "Nuevos seguidores"),
        "comments": ("Replies", "Respostas", "Respuestas"),
        "shares": ("Reposts", "Reposts", "Reposts"),
        "profile_visits": ("Profile visits", "Visitas ao perfil", "Visitas al perfil"),
        "link_clicks": ("URL Clicks", "Cliques no URL", "Clics en URL"),
    },
    "x_premium_overview": {
        "date": ("Date", "Data", "Fecha"),
        "impressions": ("Impressions", "Impressões", "Impresiones"),
        "engagements": ("Engagements", "Engajamentos", "Interacciones"),
        "follows_gained": ("New follows", "Novos seguidores", "Nuevos seguidores"),
        "follows_lost": ("Unfollows", "Deixaram de seguir", "Dejaron de seguir"),
        "profile_visits": ("Profile visits", "Visitas ao perfil", "Visitas al perfil"),
        "posts_published": ("Create Post", "Criar post", "Crear publicación"),
        "video_views": ("Video views", "Visualizações de vídeo", "Reproducciones de video"),
    },
}
